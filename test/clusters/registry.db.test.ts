// The cluster registry on real PostgreSQL with the simulator: sealing, URL changes, the SSRF
// guard, the client pool's cache, connection tests, audit rows.
import { cliCaller } from "../support/callers.ts";
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseUrlPolicy } from "../../app/clusters/cluster-url-policy.ts";
import {
  addCluster,
  getCluster,
  listClusters,
  removeCluster,
  updateCluster,
  type ClusterDeps,
} from "../../app/clusters/clusters.ts";
import { runConnectionTest } from "../../app/clusters/connection-test.ts";
import { createNdClientPool } from "../../app/clusters/nd-client-pool.ts";
import { NdError } from "../../app/clusters/nd-errors.ts";
import { Conflict, Invalid, NotFound } from "../../app/errors.ts";
import { loadKeyring } from "../../app/secrets/keyring.ts";
import { freshDatabase } from "../support/db.ts";
import { DEFAULT_ADMIN_API_KEY, DEFAULT_PASSWORD, FABRICS, startSim } from "./nd-harness.ts";

const db = await freshDatabase();
const sim = await startSim();
const otherCaSim = await startSim({ certDir: mkdtempSync(join(tmpdir(), "nd-other-ca-")) });
afterAll(async () => {
  await pool.closeAll();
  await Promise.all([sim.stop(), otherCaSim.stop()]);
  await db.close();
});

const { keyring } = await loadKeyring({
  sql: db.sql,
  dataDir: mkdtempSync(join(tmpdir(), "nmg-reg-")),
  encryptionKey: randomBytes(32).toString("base64"),
});
const urlPolicy = parseUrlPolicy(["*"], true);
const pool = createNdClientPool({
  sql: db.sql,
  keyring,
  urlPolicy,
  clientDefaults: { retry: { baseDelayMs: 10, maxDelayMs: 50 }, loginFailureHoldMs: 0 },
});
const deps: ClusterDeps = { keyring, urlPolicy, onChange: (id) => pool.invalidate(id) };
const runTest = (name: string) => runConnectionTest(db.sql, cliCaller("cli"), name, { pool });

let counter = 0;
function add(overrides: Partial<Parameters<typeof addCluster>[2]> = {}) {
  return addCluster(
    db.sql,
    cliCaller("cli"),
    {
      name: `c${++counter}`,
      url: sim.url,
      credentials: { mode: "password", username: "admin", password: DEFAULT_PASSWORD },
      tls: { caPem: sim.caPem },
      ...overrides,
    },
    deps,
  );
}

const auditFor = (clusterId: string) =>
  db.sql`select action, status, reason, error, details from audit_events where cluster_id = ${clusterId} order by id`;

beforeEach(() => {
  sim.requestLog.clear();
  sim.faults.clear();
});

describe("adding", () => {
  test("defaults: DefaultAuth, TLS verified, 60 s timeout, 4 concurrent; audited without the secret", async () => {
    const c = await add();
    expect(c).toMatchObject({
      authMode: "password",
      username: "admin",
      loginDomain: "DefaultAuth",
      hasCredentials: true,
      tlsVerify: true,
      timeoutMs: 60_000,
      maxConcurrency: 4,
      baseUrl: sim.url,
    });
    expect(c.caPem).toContain("BEGIN CERTIFICATE");
    const [event] = await auditFor(c.id);
    expect(event).toMatchObject({ action: "cluster.create", status: "ok", reason: null });
    expect(event!.details).toMatchObject({ name: c.name, url: sim.url, insecure: false, caBundle: true });
    expect(JSON.stringify(event)).not.toContain(DEFAULT_PASSWORD);
  });

  test("insecure mode is stored and flagged in the audit", async () => {
    const c = await add({ tls: { verify: false } });
    expect(c.tlsVerify).toBe(false);
    const [event] = await auditFor(c.id);
    expect(event!.details).toMatchObject({ insecure: true, tlsVerify: false });
    expect(event!.reason).toContain("insecure");
  });

  test("names are unique regardless of case", async () => {
    await add({ name: "Dup-Name" });
    await expect(add({ name: "dup-name" })).rejects.toBeInstanceOf(Conflict);
  });

  test.each([
    ["bad name", { name: "-x" }],
    ["http URL", { url: sim.url.replace("https", "http") }],
    ["URL with a path", { url: `${sim.url}/api` }],
    ["not a CA", { tls: { caPem: "hello" } }],
    ["a private key as CA", { tls: { caPem: "-----BEGIN PRIVATE KEY-----\nabc\n-----END PRIVATE KEY-----" } }],
    ["timeout too small", { timeoutMs: 5 }],
    ["zero concurrency", { maxConcurrency: 0 }],
    ["empty password", { credentials: { mode: "password" as const, username: "admin", password: "" } }],
  ])("%s is refused; nothing is stored or audited", async (_, overrides) => {
    const before = (await listClusters(db.sql)).length;
    const audits = (await db.sql`select count(*)::int as n from audit_events`)[0]!.n;
    await expect(add(overrides as never)).rejects.toBeInstanceOf(Invalid);
    expect((await listClusters(db.sql)).length).toBe(before);
    expect((await db.sql`select count(*)::int as n from audit_events`)[0]!.n).toBe(audits);
  });

  test("the SSRF guard: loopback only when allowed; allow-list enforced", async () => {
    const strict = { ...deps, urlPolicy: parseUrlPolicy(["*"], false) };
    await expect(
      addCluster(
        db.sql,
        cliCaller("cli"),
        { name: "ssrf1", url: sim.url, credentials: { mode: "password", username: "a", password: "b" } },
        strict,
      ),
    ).rejects.toThrow("CLUSTER_ALLOW_LOOPBACK");
    await expect(
      addCluster(
        db.sql,
        cliCaller("cli"),
        {
          name: "ssrf2",
          url: "https://169.254.169.254",
          credentials: { mode: "password", username: "a", password: "b" },
        },
        strict,
      ),
    ).rejects.toThrow("link-local");
    const listed = { ...deps, urlPolicy: parseUrlPolicy(["10.0.0.0/8"], true) };
    await expect(
      addCluster(
        db.sql,
        cliCaller("cli"),
        { name: "ssrf3", url: sim.url, credentials: { mode: "password", username: "a", password: "b" } },
        listed,
      ),
    ).rejects.toThrow("CLUSTER_ALLOWLIST");
    expect(sim.requestLog.size).toBe(0);
  });
});

describe("changing", () => {
  test("a URL change clears the stored credentials: they are never sent to the new host", async () => {
    const c = await add();
    const client = await pool.clientFor(c.id);
    await client.request(FABRICS);
    expect(sim.requestLog.find("/login").length).toBe(1);

    const { cluster, credentialsCleared } = await updateCluster(
      db.sql,
      cliCaller("cli"),
      c.name,
      { url: otherCaSim.url },
      deps,
    );
    expect(credentialsCleared).toBe(true);
    expect(cluster).toMatchObject({
      baseUrl: otherCaSim.url,
      hasCredentials: false,
      username: null,
      credentialVersion: c.credentialVersion + 1,
    });
    const [row] = await db.sql`select secret_sealed from clusters where id = ${c.id}`;
    expect(row!.secret_sealed).toBeNull();

    const err = await pool.clientFor(c.id).catch((e) => e);
    expect(err).toBeInstanceOf(NdError);
    expect(err.message).toContain("no credentials are stored");
    expect(otherCaSim.requestLog.size).toBe(0);

    const events = await auditFor(c.id);
    expect(events.at(-1)).toMatchObject({ action: "cluster.update" });
    expect(events.at(-1)!.details).toMatchObject({ changed: ["url"], loginCleared: true });
  });

  test("a URL change with new credentials in the same change keeps them", async () => {
    const c = await add();
    const { cluster, credentialsCleared } = await updateCluster(
      db.sql,
      cliCaller("cli"),
      c.id,
      {
        url: sim.url.replace("127.0.0.1", "localhost"),
        credentials: { mode: "password", username: "admin", password: DEFAULT_PASSWORD, domain: "local" },
      },
      deps,
    );
    expect(credentialsCleared).toBe(false);
    expect(cluster).toMatchObject({ hasCredentials: true, loginDomain: "local" });
    expect((await (await pool.clientFor(c.id)).request(FABRICS)).status).toBe(200);
  });

  test("turning TLS verification off or replacing the CA also clears them", async () => {
    const a = await add();
    expect(
      (await updateCluster(db.sql, cliCaller("cli"), a.id, { tls: { verify: false } }, deps)).credentialsCleared,
    ).toBe(true);
    const b = await add();
    expect(
      (await updateCluster(db.sql, cliCaller("cli"), b.id, { tls: { caPem: otherCaSim.caPem } }, deps))
        .credentialsCleared,
    ).toBe(true);
    const c = await add({ tls: { verify: false } });
    expect(
      (await updateCluster(db.sql, cliCaller("cli"), c.id, { tls: { verify: true, caPem: sim.caPem } }, deps))
        .credentialsCleared,
    ).toBe(true);
  });

  test("other edits keep credentials but replace the cached client (and its session)", async () => {
    const c = await add();
    const first = await pool.clientFor(c.id);
    expect(await pool.clientFor(c.name)).toBe(first);
    await first.request(FABRICS);
    const { cluster, credentialsCleared } = await updateCluster(
      db.sql,
      cliCaller("cli"),
      c.id,
      { timeoutMs: 30_000, maxConcurrency: 2, loginDomain: "local" },
      deps,
    );
    expect(credentialsCleared).toBe(false);
    expect(cluster).toMatchObject({
      timeoutMs: 30_000,
      maxConcurrency: 2,
      loginDomain: "local",
      hasCredentials: true,
      credentialVersion: c.credentialVersion,
      revision: c.revision + 1,
    });
    const second = await pool.clientFor(c.id);
    expect(second).not.toBe(first);
    await Bun.sleep(50); // the old client logs out in the background
    expect(sim.requestLog.find("/logout").length).toBe(1);
    await expect(first.request(FABRICS)).rejects.toThrow("settings changed");
    expect((await second.request(FABRICS)).status).toBe(200);
  });

  test("an edit made through another node is noticed (the row's revision is checked on every lookup)", async () => {
    const c = await add();
    const first = await pool.clientFor(c.id);
    await db.sql`update clusters set revision = revision + 1, timeout_ms = 1000 where id = ${c.id}`;
    expect(await pool.clientFor(c.id)).not.toBe(first);
  });

  test("renaming to an existing name is a conflict", async () => {
    const a = await add();
    const b = await add();
    await expect(
      updateCluster(db.sql, cliCaller("cli"), b.id, { name: a.name.toUpperCase() }, deps),
    ).rejects.toBeInstanceOf(Conflict);
  });
});

describe("removing", () => {
  test("the row goes, the cached client goes, the audit stays", async () => {
    const c = await add();
    await pool.clientFor(c.id);
    await removeCluster(db.sql, cliCaller("cli"), c.name, deps);
    await expect(getCluster(db.sql, c.id)).rejects.toBeInstanceOf(NotFound);
    await expect(pool.clientFor(c.id)).rejects.toBeInstanceOf(NotFound);
    expect((await auditFor(c.id)).map((e) => e.action)).toEqual(["cluster.create", "cluster.delete"]);
  });
});

describe("connection test", () => {
  test("reachable, TLS verified, login ok, version, latency — stored and audited", async () => {
    const c = await add();
    const r = await runTest(c.name);
    expect(r).toMatchObject({ ok: true, reachable: true, tls: "verified", login: "ok", version: "4.1.1g" });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    const stored = await getCluster(db.sql, c.id);
    expect(stored).toMatchObject({ ndVersion: "4.1.1g", lastTestOk: true, lastTestError: null });
    expect(stored.revision).toBe(c.revision);
    const events = await auditFor(c.id);
    expect(events.at(-1)).toMatchObject({ action: "cluster.test", status: "ok" });
    expect(events.at(-1)!.details).toMatchObject({ tls: "verified", login: "ok", version: "4.1.1g" });
  });

  test("wrong password: reachable, TLS fine, login failed", async () => {
    const c = await add({ credentials: { mode: "password", username: "admin", password: "not-the-password" } });
    const r = await runTest(c.id);
    expect(r).toMatchObject({ ok: false, reachable: true, tls: "verified", login: "failed", errorKind: "auth" });
    expect(r.error).not.toContain("not-the-password");
    expect((await getCluster(db.sql, c.id)).lastTestOk).toBe(false);
    expect((await auditFor(c.id)).at(-1)).toMatchObject({ action: "cluster.test", status: "failed" });
  });

  test("wrong login domain: login failed with the reason", async () => {
    const c = await add({
      credentials: { mode: "password", username: "admin", password: DEFAULT_PASSWORD, domain: "no-such-domain" },
    });
    const r = await runTest(c.id);
    expect(r).toMatchObject({ ok: false, login: "failed" });
    expect(r.error).toContain("no-such-domain");
  });

  test("a CA that does not match: tls failed, no login attempted", async () => {
    const c = await add({ tls: { caPem: otherCaSim.caPem } });
    const r = await runTest(c.id);
    expect(r).toMatchObject({ ok: false, tls: "failed", login: "not_tried", errorKind: "tls" });
    expect(sim.requestLog.size).toBe(0);
  });

  test("insecure mode works and is reported as such", async () => {
    const c = await add({ tls: { verify: false } });
    const r = await runTest(c.id);
    expect(r).toMatchObject({ ok: true, tls: "insecure", login: "ok" });
    expect((await auditFor(c.id)).at(-1)!.details).toMatchObject({ insecure: true, tls: "insecure" });
  });

  test("API-key mode: no login request, an authenticated read proves the key", async () => {
    const c = await add({ credentials: { mode: "api_key", username: "admin", apiKey: DEFAULT_ADMIN_API_KEY } });
    const r = await runTest(c.id);
    expect(r).toMatchObject({ ok: true, login: "ok" });
    expect(sim.requestLog.find("/login").length).toBe(0);
    const bad = await add({ credentials: { mode: "api_key", username: "admin", apiKey: "wrong-api-key-000" } });
    expect(await runTest(bad.id)).toMatchObject({ ok: false, login: "failed", errorKind: "auth" });
  });

  test("unreachable: nothing listening", async () => {
    const closed = Bun.serve({ port: 0, fetch: () => new Response("") });
    const port = closed.port;
    await closed.stop(true);
    const c = await add({ url: `https://127.0.0.1:${port}` });
    expect(await runTest(c.id)).toMatchObject({ ok: false, reachable: false, errorKind: "unreachable" });
  });

  test("cleared credentials: the test says so instead of contacting ND with nothing", async () => {
    const c = await add();
    await updateCluster(db.sql, cliCaller("cli"), c.id, { url: sim.url.replace("127.0.0.1", "localhost") }, deps);
    const r = await runTest(c.id);
    expect(r.ok).toBe(false);
    expect(r.error).toContain("no credentials are stored");
    expect(sim.requestLog.size).toBe(0);
  });
});
