/**
 * The transports under stress a client would notice: the rate limit, a token revoked in the
 * middle of a session, SSE keep-alives and first bytes, idle and unused SSE sessions, the
 * per-user cap, and a shutdown that ends streams cleanly.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { cliCaller } from "../support/callers.ts";
import { createApiToken, revokeApiToken } from "../../app/identity/api-tokens.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { auditSince, call, lastAuditId, waitFor } from "./mcp-test-kit.ts";
import { serveRoutes, type HarnessOptions, type RoutesHarness } from "./routes-harness.ts";

const world = await startMcpWorld();
const harnesses: RoutesHarness[] = [];
afterAll(async () => {
  for (const h of harnesses) await h.stop();
  await world.stop();
});
const sql = world.gw.db.sql;
const cli = cliCaller("cli");

async function freshToken(user: string, name: string): Promise<{ token: string; id: string }> {
  const created = await createApiToken(sql, cli, { username: user, name });
  return { token: created.token, id: created.id };
}

async function harness(limits: HarnessOptions["limits"]): Promise<RoutesHarness> {
  const h = await serveRoutes(world, { limits });
  harnesses.push(h);
  return h;
}

const LIST = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} });
const postHeaders = (token: string) => ({
  authorization: `Bearer ${token}`,
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
});

/** Reads an SSE response until `until` matches the text so far, or the stream ends, or time is up. */
async function readSse(
  res: Response,
  until: RegExp,
  timeoutMs: number,
): Promise<{ text: string; ended: boolean; ms: number }> {
  const reader = res.body!.getReader();
  const started = performance.now();
  let text = "";
  let ended = false;
  const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
  try {
    while (!until.test(text)) {
      const chunk = await reader.read();
      if (chunk.done) {
        ended = true;
        break;
      }
      text += new TextDecoder().decode(chunk.value);
    }
  } catch {
    // cancelled by the deadline
  } finally {
    clearTimeout(deadline);
    reader.releaseLock();
  }
  return { text, ended, ms: performance.now() - started };
}

describe("rate limit", () => {
  test("past the burst: 429, Retry-After and a JSON-RPC error a model can read; audited once per burst, repeats counted", async () => {
    const h = await harness({ ratePerSec: 1, rateBurst: 2 });
    const { token } = await freshToken("vera", "vera-rate");
    const mark = await lastAuditId(sql);
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${h.base}/mcp`, { method: "POST", headers: postHeaders(token), body: LIST });
      statuses.push(res.status);
      if (res.status === 429) limited ??= res;
      else await res.arrayBuffer();
    }
    expect(statuses).toEqual([200, 200, 429, 429]);
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    const body = await limited!.json();
    expect(body.error.code).toBe(-32029);
    expect(body.error.message).toMatch(
      /^rate limit: more than 1 requests per second with this token; wait \d+ s and retry$/,
    );

    // Refusals are audited off the request path; wait for the first one.
    const first = await waitFor(async () => {
      const rows = (await auditSince(sql, mark)).filter((r) => r.action === "mcp.rate_limit");
      return rows.length ? rows : undefined;
    });
    expect(first).toMatchObject([{ status: "denied", username: "vera", decision: "deny" }]);
    await h.routes.close(); // flushes the coalesced repeat
    const all = (await auditSince(sql, mark)).filter((r) => r.action === "mcp.rate_limit");
    expect(all.length).toBe(2);
    expect(all[1]!.details, JSON.stringify(all)).toMatchObject({ repeated: 1 });
  });
});

describe("a token revoked in the middle of a session", () => {
  for (const kind of ["http", "sse"] as const) {
    test(`${kind}: the next request is refused with 401, and it is audited`, async () => {
      const { token, id } = await freshToken("vera", `vera-${kind}-revoked`);
      world.tokens.revokable = token;
      const client = await world.connect("revokable", kind);
      expect((await call(client, "list_clusters")).isError).toBeFalsy();
      const sessionsBefore = world.gw.server.gateway.mcpSessions();
      await revokeApiToken(sql, cli, id);
      const mark = await lastAuditId(sql);
      await expect(call(client, "list_clusters")).rejects.toThrow(/401|unauthorized/i);
      const refusal = await waitFor(async () => (await auditSince(sql, mark)).find((r) => r.action === "mcp.auth"));
      expect(refusal).toMatchObject({ status: "denied", reason: "the API token was revoked", username: "vera" });
      expect((await auditSince(sql, mark)).filter((r) => r.action === "mcp.call")).toEqual([]);
      if (kind === "sse") {
        // The stream the revoked credential opened is ended too, not left to idle out.
        await waitFor(async () => world.gw.server.gateway.mcpSessions() === sessionsBefore - 1);
        const reopen = await world.gw.fetchApi("/mcp/sse", {
          headers: { authorization: `Bearer ${token}`, host: "localhost" },
        });
        expect(reopen.status).toBe(401);
      }
      await client.close().catch(() => {});
    });
  }
});

describe("SSE streams", () => {
  test("the first bytes come at once, and comment keep-alives follow on a quiet stream", async () => {
    const h = await harness({ keepAliveMs: 100 });
    const res = await fetch(`${h.base}/mcp/sse`, { headers: { authorization: `Bearer ${world.tokens.vera}` } });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    const first = await readSse(res, /event: endpoint\ndata: \/mcp\/messages\?sessionId=[0-9a-f-]{36}\n\n/, 2_000);
    expect(first.ms).toBeLessThan(500);
    const later = await readSse(res, /: keepalive\n\n: keepalive\n\n/, 2_000);
    expect(later.text).toContain(": keepalive\n\n");
    expect(later.ended).toBe(false);
    await res.body!.cancel();
  });

  test("a Streamable HTTP tool call answered as SSE sends its headers before ND has answered", async () => {
    world.sim.faults.queue("latency=1500", { path: "/api/v1/manage/fabrics", count: 1 });
    const body = JSON.stringify({
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "list_fabrics", arguments: {} },
    });
    const started = performance.now();
    const res = await world.gw.fetchApi("/mcp", {
      method: "POST",
      headers: { ...postHeaders(world.tokens.vera!), host: "localhost", accept: "text/event-stream, application/json" },
      body,
    });
    const headersMs = performance.now() - started;
    expect(res.status).toBe(200);
    const all = await res.text();
    expect(all).toContain("fabrics: 2 of 2");
    expect(res.headers.get("content-type")).toStartWith("text/event-stream");
    expect(headersMs).toBeLessThan(1_000);
  });

  test("a stream that never receives a message, and one that falls idle, are closed", async () => {
    const h = await harness({ sseUnusedMs: 300, sseIdleMs: 600 });
    const auth = { authorization: `Bearer ${world.tokens.vera}` };
    const unused = await fetch(`${h.base}/mcp/sse`, { headers: auth });
    const used = await fetch(`${h.base}/mcp/sse`, { headers: auth });
    const endpoint = /data: (\S+)/.exec((await readSse(used, /\n\n/, 1_000)).text)![1]!;
    const ping = await fetch(`${h.base}${endpoint}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" }),
    });
    expect(ping.status).toBe(202);
    expect(h.routes.sessions.size).toBe(2);

    const unusedEnd = await readSse(unused, /(?!)/, 3_000);
    expect(unusedEnd.ended).toBe(true);
    expect(h.routes.sessions.size).toBe(1);
    const usedEnd = await readSse(used, /(?!)/, 3_000);
    expect(usedEnd.text).toContain('"id":1');
    expect(usedEnd.ended).toBe(true);
    expect(h.routes.sessions.size).toBe(0);
    const late = await fetch(`${h.base}${endpoint}`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "ping" }),
    });
    expect(late.status).toBe(404);
  });

  test("per-user cap: opening one more stream ends that user's least recently used one, not another user's", async () => {
    const h = await harness({ ssePerUser: 2 });
    const open = (user: string) =>
      fetch(`${h.base}/mcp/sse`, { headers: { authorization: `Bearer ${world.tokens[user]}` } });
    const olgas = await open("olga");
    const veras = [await open("vera"), await open("vera")];
    for (const r of [olgas, ...veras]) await readSse(r, /\n\n/, 1_000);
    const third = await open("vera");
    await readSse(third, /\n\n/, 1_000);
    expect((await readSse(veras[0]!, /(?!)/, 2_000)).ended).toBe(true);
    expect(h.routes.sessions.countFor(await userId("vera"))).toBe(2);
    expect(h.routes.sessions.countFor(await userId("olga"))).toBe(1);
    for (const r of [olgas, veras[1]!, third]) await r.body!.cancel();
  });
});

async function userId(username: string): Promise<string> {
  const [row] = await sql<{ id: string }[]>`select id::text as id from users where username = ${username}`;
  return row!.id;
}

describe("shutdown", () => {
  test("RunningServer.stop() ends open SSE streams cleanly and promptly", async () => {
    const other = await startMcpWorld();
    const res = await other.gw.fetchApi("/mcp/sse", {
      headers: { authorization: `Bearer ${other.tokens.vera}`, host: "localhost" },
    });
    await readSse(res, /\n\n/, 1_000);
    const started = performance.now();
    const stopping = other.stop();
    const end = await readSse(res, /(?!)/, 5_000);
    await stopping;
    expect(end.ended).toBe(true);
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
