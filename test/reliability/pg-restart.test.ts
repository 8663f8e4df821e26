/**
 * Reliability: PostgreSQL restarted under load. The real gateway (HTTPS, MCP, audit, policy)
 * runs on a throwaway PostgreSQL cluster of its own; 20 clients call tools without pause while
 * the server is restarted with `pg_ctl restart -m fast`. Every call must succeed again within a
 * few seconds of the database being back, without restarting the gateway, and `/healthz` must
 * answer within its bound (503 while the database does not answer, 200 once it does).
 */
import { afterAll, expect, test } from "bun:test";
import { connect } from "../../app/db.ts";
import { startPgCluster } from "../../scripts/pg-cluster.ts";
import { startMcpWorld } from "../support/mcp-world.ts";

const CLIENTS = 20;
const RECOVERY_MS = 5_000;

const cluster = await startPgCluster();
const url = cluster.url("postgres");
const world = await startMcpWorld({ DB_POOL_MAX: "20" }, undefined, {
  sql: connect(url, { max: 2 }),
  url,
  name: "postgres",
  async close() {
    await this.sql.end({ timeout: 1 });
  },
});
afterAll(async () => {
  await world.stop();
  await cluster.stop();
});

let rpcId = 0;
async function callTool(
  token: string,
  name: string,
  args: Record<string, unknown>,
  timeoutMs = 15_000,
): Promise<{ ok: boolean; error?: string }> {
  try {
    const res = await world.gw.fetchApi("/mcp", {
      method: "POST",
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        authorization: `Bearer ${token}`,
        host: "localhost",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        "mcp-protocol-version": "2025-11-25",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "tools/call", params: { name, arguments: args } }),
    });
    const text = await res.text();
    if (res.status !== 200) return { ok: false, error: `HTTP ${res.status}: ${text.slice(0, 120)}` };
    const data = JSON.parse(text.startsWith("{") ? text : (/^data: ([^\n]*)$/m.exec(text)?.[1] ?? "{}"));
    if (data.error) return { ok: false, error: `rpc ${data.error.message}` };
    if (data.result?.isError) return { ok: false, error: `tool ${data.result.content?.[0]?.text?.slice(0, 120)}` };
    return { ok: true };
  } catch (err) {
    return { ok: false, error: `client ${(err as Error).name}: ${(err as Error).message}` };
  }
}

const readCall = (token: string) => callTool(token, "list_fabrics", { cluster: "sim", fields: ["name"] });

async function timedHealth(): Promise<{ status: number; ms: number }> {
  const t = performance.now();
  const res = await world.gw.fetchApi("/healthz", { signal: AbortSignal.timeout(10_000) });
  await res.text();
  return { status: res.status, ms: performance.now() - t };
}

test("after `pg_ctl restart -m fast` under 20 clients every call succeeds again within seconds, no gateway restart", async () => {
  const token = world.tokens.admin!;
  expect(await readCall(token)).toEqual({ ok: true });
  let running = true;
  let backAt = Infinity;
  const lateFailures: string[] = [];
  let lateOk = 0;
  const client = async () => {
    while (running) {
      const started = Date.now();
      const r = await readCall(token);
      // A call that started well after the database was back must succeed.
      if (started > backAt + RECOVERY_MS) {
        if (r.ok) lateOk++;
        else lateFailures.push(r.error!);
      }
      if (!r.ok) await Bun.sleep(20);
    }
  };
  const clients = Array.from({ length: CLIENTS }, client);
  await Bun.sleep(1_500);
  cluster.restart("fast");
  backAt = Date.now();
  await Bun.sleep(RECOVERY_MS + 4_000);
  running = false;
  await Promise.all(clients);
  expect(lateFailures.slice(0, 5)).toEqual([]);
  expect(lateOk).toBeGreaterThan(CLIENTS);
  // And a burst on every pool connection at once, after the load stopped.
  const burst = await Promise.all(Array.from({ length: 2 * CLIENTS }, () => readCall(token)));
  expect(burst.filter((r) => !r.ok)).toEqual([]);
  expect((await timedHealth()).status).toBe(200);
}, 60_000);

test("/healthz answers 503 within 2 s while PostgreSQL is down, 200 once it is back", async () => {
  cluster.halt("fast");
  await Bun.sleep(1_100); // past the health check's one-second ping cache
  try {
    const down = await timedHealth();
    expect(down.status).toBe(503);
    expect(down.ms).toBeLessThan(2_500);
  } finally {
    cluster.start();
  }
  let up = await timedHealth();
  for (let i = 0; i < 20 && up.status !== 200; i++) {
    await Bun.sleep(250);
    up = await timedHealth();
  }
  expect(up.status).toBe(200);
  expect(up.ms).toBeLessThan(2_500);
  expect(await readCall(world.tokens.admin!)).toEqual({ ok: true });
}, 60_000);
