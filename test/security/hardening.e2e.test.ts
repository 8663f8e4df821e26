/**
 * Smaller findings of the outside testing (issue 12, item 5), each through the real surface:
 * nesting depth refused before any intent; list_clusters needs clusters:use; an SSE session
 * answers only the credential that opened it; TLS 1.2 offers AEAD suites only; /healthz tells
 * the public only its status and survives a flood.
 */
import { afterAll, expect, test } from "bun:test";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { createUser } from "../../app/identity/users.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { auditSince, lastAuditId } from "../mcp/mcp-test-kit.ts";
import { cliCaller } from "../support/callers.ts";
import { ADMIN_PASSWORD, startMcpWorld } from "../support/mcp-world.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
const cli = cliCaller("cli");

const headers = (token: string) => ({
  authorization: `Bearer ${token}`,
  host: "localhost",
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
  "mcp-protocol-version": "2025-11-25",
});
async function rpc(token: string, body: string): Promise<{ status: number; json: Record<string, any> }> {
  const res = await world.gw.fetchApi("/mcp", { method: "POST", headers: headers(token), body });
  const text = await res.text();
  const data = text.startsWith("{") ? text : (/^data: ([^\n]*)$/m.exec(text)?.[1] ?? "{}");
  return { status: res.status, json: JSON.parse(data) };
}

test("a body nested deeper than 64 levels is refused before any intent is written; 64 levels still work", async () => {
  await setEditMode(sql, cli, true, null);
  try {
    const mark = await lastAuditId(sql);
    const nd = world.sim.requestLog.size;
    for (const depth of [100_000, 65]) {
      const deep = "[".repeat(depth) + "]".repeat(depth);
      const body = `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"call_operation","arguments":{"operation":"ndfc.createVrf","cluster":"sim","params":{"fabric":"f"},"body":{"x":${deep}}}}}`;
      const r = await rpc(world.tokens.admin!, body);
      expect(r.status).toBe(400);
      expect(r.json.error.message).toContain("nested more than 64 levels");
    }
    const rows = (await auditSince(sql, mark)).filter((r) => r.action === "mcp.call");
    expect(rows).toEqual([]);
    expect(world.sim.requestLog.size).toBe(nd);
    // At the limit the request is read normally (the tool then judges the arguments).
    const ok = "[".repeat(50) + "]".repeat(50);
    const r = await rpc(
      world.tokens.vera!,
      `{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_clusters","arguments":{},"_meta":{"x":${ok}}}}`,
    );
    expect(r.status).toBe(200);
  } finally {
    await setEditMode(sql, cli, false, null);
  }
});

test("a user without clusters:use sees no cluster names or addresses through list_clusters", async () => {
  await createUser(
    sql,
    cli,
    { username: "nora", password: ADMIN_PASSWORD, roles: [], clusters: "all" },
    { passwords: world.gw.server.services.passwords },
  );
  const { token } = await createApiToken(sql, cli, { username: "nora", name: "nora-laptop" });
  const r = await rpc(
    token,
    JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/call", params: { name: "list_clusters", arguments: {} } }),
  );
  const text = JSON.stringify(r.json);
  expect(text).not.toContain("sim");
  expect(text).not.toContain(new URL(world.sim.url).port);
  const viewer = await rpc(
    world.tokens.vera!,
    JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tools/call", params: { name: "list_clusters", arguments: {} } }),
  );
  expect(JSON.stringify(viewer.json)).toContain("sim");
});

test("an SSE session takes messages only from the credential that opened it, not another token of the same user", async () => {
  const { token: second } = await createApiToken(sql, cli, { username: "vera", name: "vera-second" });
  const res = await world.gw.fetchApi("/mcp/sse", {
    headers: { authorization: `Bearer ${world.tokens.vera}`, host: "localhost" },
  });
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  const endpoint = /data: (\S+)/.exec(first)![1]!;
  const post = (token: string) =>
    world.gw.fetchApi(endpoint, {
      method: "POST",
      headers: headers(token),
      body: JSON.stringify({ jsonrpc: "2.0", id: 5, method: "tools/list" }),
    });
  expect((await post(second)).status).toBe(404);
  expect((await post(world.tokens.vera!)).status).toBe(202);
  await reader.cancel();
});

test("TLS 1.2 offers forward-secret AEAD suites only (no CBC, no SHA-1)", async () => {
  const port = new URL(world.gw.server.api.url).port;
  // Asynchronous: the gateway runs in this process and must keep serving during the handshake.
  const handshake = async (cipher: string) => {
    const p = Bun.spawn(["openssl", "s_client", "-connect", `127.0.0.1:${port}`, "-tls1_2", "-cipher", cipher], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const timer = setTimeout(() => p.kill(), 10_000);
    const out = await new Response(p.stdout).text();
    clearTimeout(timer);
    return out;
  };
  for (const weak of ["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-ECDSA-AES128-SHA256"]) {
    expect(await handshake(weak)).not.toMatch(/Cipher is ECDHE/);
  }
  expect(await handshake("ECDHE-ECDSA-AES128-GCM-SHA256")).toContain("Cipher is ECDHE-ECDSA-AES128-GCM-SHA256");
});

test("/healthz: the public learns only the status; loopback gets details; a flood is limited and does not ping the database each time", async () => {
  const handler = world.gw.server.gateway.api;
  const fromOutside = await handler(new Request("https://gw.example/healthz"), { clientIp: "10.9.8.7" });
  expect(await fromOutside.json()).toEqual({ status: "ok" });
  const local = await (await handler(new Request("https://localhost/healthz"), { clientIp: "127.0.0.1" })).json();
  expect(local).toMatchObject({ status: "ok", database: { reachable: true } });
  const statuses = await Promise.all(
    Array.from({ length: 60 }, () =>
      handler(new Request("https://gw.example/healthz"), { clientIp: "10.9.8.6" }).then((r) => r.status),
    ),
  );
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(40);
});
