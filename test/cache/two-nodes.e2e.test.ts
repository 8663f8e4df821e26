// Issue 11: the in-process caches of the MCP path on two gateway nodes sharing one PostgreSQL.
// Node A runs in this process (changes are made here, as its UI would make them); node B is a
// separate `bun app/main.ts` process. A revoked token, a disabled user and edit mode switched
// off are refused on A's very next call and on B within the bound; while B's LISTEN connection
// is down, B reads through (no stale answer) and says so in its log.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { addCluster } from "../../app/clusters/clusters.ts";
import { loadConfig } from "../../app/config.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { createApiToken, revokeApiToken } from "../../app/identity/api-tokens.ts";
import { createUser, setUserActive } from "../../app/identity/users.ts";
import { createLogger } from "../../app/log.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { startServer, type RunningServer } from "../../app/server.ts";
import { startSimulator, type RunningSimulator } from "../../sim/simulator.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { metricValue, startGatewayProcess, toolCall, type GatewayProcess } from "../support/gateway-process.ts";
import { testEnv } from "../support/server.ts";

const PASSWORD = "correct-Horse-battery-9";
/** What the tests hold the other node to; the issue's target (< 100 ms) is reported from the measured times. */
const BOUND_MS = 1000;
// A fresh caller per change: a Caller carries the instant of its request.
const cli = () => cliCaller("test");

let db: TestDatabase;
let sim: RunningSimulator;
let a: RunningServer;
let b: GatewayProcess;
let aUrl: string;
const measured: Record<string, number> = {};

const callA = (token: string, tool = "list_clusters", args: Record<string, unknown> = {}) =>
  toolCall(aUrl, a.tls.cert, token, tool, args);
const callB = (token: string, tool = "list_clusters", args: Record<string, unknown> = {}) =>
  toolCall(b.mcpUrl, b.ca, token, tool, args);

async function token(username: string, name: string) {
  return createApiToken(db.sql, cli(), { username, name });
}

/** Calls B until `refused` says the answer is a refusal; returns how long that took after `since`. */
async function untilRefusedOnB(
  since: number,
  tokenText: string,
  refused: (r: Awaited<ReturnType<typeof callB>>) => boolean,
  tool?: string,
  args?: Record<string, unknown>,
): Promise<number> {
  for (;;) {
    const r = await callB(tokenText, tool, args);
    if (refused(r)) return performance.now() - since;
    if (performance.now() - since > 10_000)
      throw new Error(`node B still answered after 10 s: ${r.text.slice(0, 200)}`);
  }
}

async function feedUpOnB(): Promise<number | null> {
  return metricValue(await (await b.fetch("/metrics")).text(), "nmg_change_feed_up");
}

beforeAll(async () => {
  db = await freshDatabase();
  sim = await startSimulator({ port: 0 });
  const encryptionKey = randomBytes(32).toString("base64");
  const env = {
    ENCRYPTION_KEY: encryptionKey,
    ADMIN_PASSWORD: PASSWORD,
    CLUSTER_ALLOW_LOOPBACK: "true",
    MCP_RATE_PER_SEC: "100000",
    MCP_RATE_BURST: "100000",
  };
  const config = loadConfig(testEnv(mkdtempSync(join(tmpdir(), "nmg-nodeA-")), db.url, env));
  a = await startServer(config, createLogger("silent"));
  aUrl = `${a.api.url.replace("127.0.0.1", "localhost")}/mcp`;
  await addCluster(
    db.sql,
    cli(),
    {
      name: "sim",
      url: sim.url,
      credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
      tls: { verify: true, caPem: sim.caPem },
    },
    { keyring: a.services.keyring, urlPolicy: a.services.urlPolicy },
  );
  for (const [username, role] of [
    ["olga", "operator"],
    ["vera", "viewer"],
    ["wendy", "viewer"],
  ] as const) {
    await createUser(
      db.sql,
      cli(),
      { username, password: PASSWORD, roles: [role], clusters: "all" },
      { passwords: a.services.passwords },
    );
  }
  b = await startGatewayProcess(db.url, { ...env, CHANGE_FEED_RETRY: "3s" });
}, 60_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await sim?.stop();
  await db?.close();
  console.log(`node B saw the change after (ms): ${JSON.stringify(measured)}`);
});

describe("two gateway nodes on one PostgreSQL", () => {
  test("a revoked token is refused on the next call here and within the bound on the other node", async () => {
    const t = await token("olga", "two-nodes");
    expect((await callA(t.token)).isError).toBe(false);
    expect((await callB(t.token)).isError).toBe(false);
    expect((await callB(t.token)).isError).toBe(false); // now served from B's cache

    await revokeApiToken(db.sql, cli(), t.id);
    const since = performance.now();
    const here = await callA(t.token);
    expect(here.status).toBe(401);
    expect(here.text).toContain("revoked");
    measured.revoked = await untilRefusedOnB(since, t.token, (r) => r.status === 401);
    expect(measured.revoked).toBeLessThan(BOUND_MS);
  });

  test("a disabled user is refused on the next call here and within the bound on the other node", async () => {
    const t = await token("vera", "two-nodes");
    expect((await callA(t.token)).isError).toBe(false);
    expect((await callB(t.token)).isError).toBe(false);

    await setUserActive(db.sql, cli(), "vera", false);
    const since = performance.now();
    expect((await callA(t.token)).status).toBe(401);
    measured.disabled = await untilRefusedOnB(since, t.token, (r) => r.status === 401);
    expect(measured.disabled).toBeLessThan(BOUND_MS);
  });

  test("edit mode switched off refuses the next write here and within the bound on the other node", async () => {
    const t = await token("admin", "two-nodes");
    const write = {
      operation: "ndfc.createVrf",
      params: { fabric: "ams-dc1" },
      body: { fabric: "ams-dc1", vrfName: "v-two-nodes", vrfId: 50123 },
    };
    const offRefusal = (r: { text: string }) => r.text.includes("edit mode is off");
    await setEditMode(db.sql, cli(), true, null);
    expect(offRefusal(await callA(t.token, "call_operation", write))).toBe(false);
    expect(offRefusal(await callB(t.token, "call_operation", write))).toBe(false);

    await setEditMode(db.sql, cli(), false, null);
    const since = performance.now();
    expect(offRefusal(await callA(t.token, "call_operation", write))).toBe(true);
    measured.editModeOff = await untilRefusedOnB(since, t.token, offRefusal, "call_operation", write);
    expect(measured.editModeOff).toBeLessThan(BOUND_MS);
  });

  test("while the other node's LISTEN connection is lost it reads through, logs it, and caches again once it is back", async () => {
    const t = await token("wendy", "two-nodes");
    expect((await callB(t.token)).isError).toBe(false);
    expect((await callB(t.token)).isError).toBe(false);
    expect(await feedUpOnB()).toBe(1);

    await db.sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name like ${`nmg-listen/${b.pid}.%`}`;
    const lostBy = Date.now() + 5000;
    while ((await feedUpOnB()) !== 0) {
      if (Date.now() > lostBy) throw new Error("node B did not notice that its LISTEN connection was terminated");
      await Bun.sleep(20);
    }
    expect(b.log()).toContain("change feed lost");

    // B cannot hear this revocation; it must not answer from its cache.
    await revokeApiToken(db.sql, cli(), t.id);
    expect((await callB(t.token)).status).toBe(401);

    const backBy = Date.now() + 10_000;
    while ((await feedUpOnB()) !== 1) {
      if (Date.now() > backBy) throw new Error(`node B's change feed did not come back:\n${b.log().slice(-2000)}`);
      await Bun.sleep(100);
    }
    expect(b.log()).toContain("change feed is back");
    const other = await token("olga", "after-recovery");
    const hits = async () =>
      metricValue(await (await b.fetch("/metrics")).text(), 'nmg_cache_lookups_total{cache="token",result="hit"}') ?? 0;
    expect((await callB(other.token)).isError).toBe(false);
    const before = await hits();
    expect((await callB(other.token)).isError).toBe(false);
    expect(await hits()).toBeGreaterThan(before);
  });
});
