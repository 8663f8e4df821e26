/**
 * `catalog fetch`: OpenAPI documents served by a cluster (the simulator, given Cisco's
 * documents) are fetched through the ND client — TLS verified, logged in — and imported.
 */
import { cliCaller } from "../support/callers.ts";
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runCli } from "../../app/cli.ts";
import { addCluster } from "../../app/clusters/clusters.ts";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import { loadKeyring } from "../../app/secrets/keyring.ts";
import { startSimulator } from "../../sim/simulator.ts";
import { freshDatabase } from "../support/db.ts";

const ND_OPENAPI = resolve(import.meta.dir, "../../../shared/nd-openapi");
const sim = await startSimulator({ port: 0, specsDir: ND_OPENAPI });
const db = await freshDatabase();
const dataDir = mkdtempSync(join(tmpdir(), "nmg-fetch-"));
afterAll(async () => {
  await sim.stop();
  await db.close();
});

const { keyring } = await loadKeyring({ sql: db.sql, dataDir });
await addCluster(
  db.sql,
  cliCaller("cli"),
  {
    name: "lab",
    url: sim.url,
    credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
    tls: { verify: true, caPem: sim.caPem },
  },
  { keyring, urlPolicy: parseUrlPolicy(["*"], true) },
);
const env = { DATABASE_URL: db.url, DATA_DIR: dataDir, CLUSTER_ALLOW_LOOPBACK: "true", LOG_LEVEL: "silent" };

async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    args,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

test("documents fetched from the cluster are imported, audited, and a re-fetch is a no-op", async () => {
  const first = await cli(
    "catalog",
    "fetch",
    "--cluster",
    "lab",
    "/help-center/swagger/manage.json",
    "/help-center/swagger/onemanage.json",
  );
  expect(first.code).toBe(0);
  expect(first.out).toContain("manage.json: imported manage v1 (202 operations)");
  expect(first.out).toContain("onemanage.json: imported onemanage v1 (16 operations)");
  const [ops] = await db.sql<{ n: number }[]>`select count(*)::int as n from catalog_active_operations`;
  expect(ops!.n).toBe(218);
  const again = await cli("catalog", "fetch", "--cluster", "lab", "/help-center/swagger/manage.json");
  expect(again.out).toContain("manage.json: unchanged");
  const [audit] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from audit_events where action = 'catalog.import'`;
  expect(audit!.n).toBe(2);
  expect(sim.requestLog.find("/login", "POST").length).toBe(2);
});

test("paths that are not plain absolute paths are refused before anything is sent", async () => {
  const before = sim.requestLog.all().length;
  for (const path of ["../etc/passwd", "/help-center/../login", "https://evil.example/x.json"]) {
    const r = await cli("catalog", "fetch", "--cluster", "lab", path);
    expect(r.code).toBe(1);
    expect(r.err).toContain("not a plain absolute path");
  }
  expect(sim.requestLog.all().length).toBe(before);
});

test("a document the cluster does not serve is reported as a failed file", async () => {
  const r = await cli("catalog", "fetch", "--cluster", "lab", "/help-center/swagger/nothing.json");
  expect(r.code).toBe(1);
  expect(r.out).toContain("FAILED");
  expect(r.out).toContain("HTTP 404");
  expect(r.out).toContain("/help-center/swagger/nothing.json");
});
