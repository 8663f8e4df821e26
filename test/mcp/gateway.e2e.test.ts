import { cliCaller } from "../support/callers.ts";
import { afterAll, describe, expect, test } from "bun:test";
import type { CallToolResult } from "@modelcontextprotocol/client";
import { setEditMode, addToWhitelist } from "../../app/policy/policy-settings.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { firstFabric } from "./mcp-test-kit.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
const text = (r: unknown) => ((r as CallToolResult).content[0] as { text: string }).text;

async function auditRows(action = "mcp.call") {
  return sql<
    {
      username: string;
      status: string;
      decision: string | null;
      reason: string | null;
      operation_id: string | null;
      cluster_name: string | null;
      call_id: string | null;
      token_name: string | null;
      client_ip: string | null;
    }[]
  >`
    select username, status, decision, reason, operation_id, cluster_name, call_id, token_name, client_ip
    from audit_events where action = ${action} order by id`;
}

describe("MCP over both transports with the official SDK client", () => {
  for (const kind of ["http", "sse"] as const) {
    test(`${kind}: tools/list shows the default surface, and a read reaches the simulator`, async () => {
      const client = await world.connect("vera", kind);
      const { tools } = await client.listTools();
      expect(tools.map((t) => t.name)).toEqual([
        "list_clusters",
        "list_fabrics",
        "list_switches",
        "list_anomalies",
        "cluster_health",
        "list_vrfs",
        "list_networks",
        "list_interfaces",
        "search_operations",
        "describe_operation",
        "call_operation",
      ]);
      expect(tools.find((t) => t.name === "list_fabrics")!.annotations?.readOnlyHint).toBe(true);
      const result = await client.callTool({ name: "list_fabrics", arguments: { fields: ["name"] } });
      expect(result.isError).toBeFalsy();
      expect(text(result)).toMatch(/^fabrics: 2 of 2\nname\n/);
      await client.close();
    });
  }

  test("search → describe → call reaches an operation that has no curated tool", async () => {
    const client = await world.connect("olga", "http");
    const found = text(
      await client.callTool({ name: "search_operations", arguments: { query: "interfaces of a fabric" } }),
    );
    expect(found).toContain("analyze.listFabricInterfaces");
    const described = text(
      await client.callTool({ name: "describe_operation", arguments: { operation: "analyze.listFabricInterfaces" } }),
    );
    expect(described).toContain("fabricName");
    const fabric = await firstFabric(client);
    const called = await client.callTool({
      name: "call_operation",
      arguments: { operation: "analyze.listFabricInterfaces", params: { fabricName: fabric }, limit: 5 },
    });
    expect(called.isError).toBeFalsy();
    expect((called.structuredContent as { returned: number }).returned).toBe(5);
    await client.close();
  });

  test("the read-only default blocks every write; edit mode plus whitelist allow exactly the whitelisted write", async () => {
    const client = await world.connect("olga", "http");
    const fabric = await firstFabric(client);
    const create = { operation: "ndfc.createVrf", params: { fabric }, body: { fabric, vrfName: "blue", vrfId: 50999 } };
    const before = world.sim.requestLog.find("/appcenter", "POST").length;

    const denied = await client.callTool({ name: "call_operation", arguments: create });
    expect(denied.isError).toBe(true);
    expect(text(denied)).toContain("the gateway is read-only: edit mode is off");
    expect(world.sim.requestLog.find("/appcenter", "POST").length).toBe(before);

    const admin = cliCaller("admin");
    await setEditMode(sql, admin, true, new Date(Date.now() + 600_000));
    await addToWhitelist(sql, admin, "ndfc.createVrf");
    const allowed = await client.callTool({ name: "call_operation", arguments: create });
    expect(allowed.isError).toBeFalsy();
    expect(world.sim.requestLog.find("/appcenter", "POST").length).toBe(before + 1);

    const other = await client.callTool({
      name: "call_operation",
      arguments: { operation: "ndfc.deleteVrf", params: { fabric, vrfName: "blue" } },
    });
    expect(text(other)).toContain("not on the operation whitelist");
    await setEditMode(sql, admin, false, null);

    const rows = await auditRows();
    const writes = rows.filter((r) => r.operation_id === "ndfc.createVrf");
    expect(writes.map((r) => [r.status, r.decision])).toEqual([
      ["denied", "deny"],
      ["pending", "allow"],
      ["ok", "allow"],
    ]);
    expect(writes[1]!.call_id).toBe(writes[2]!.call_id);
    expect(writes[0]).toMatchObject({ username: "olga", token_name: "olga-laptop", cluster_name: "sim" });
    await client.close();
  });

  test("two users on two SSE sessions never see each other's responses", async () => {
    const a = await world.connect("vera", "sse");
    const b = await world.connect("olga", "sse");
    const [ra, rb] = await Promise.all([
      a.callTool({ name: "list_clusters", arguments: {} }),
      b.callTool({ name: "search_operations", arguments: { query: "vrf list" } }),
    ]);
    expect(text(ra)).toContain("sim");
    expect(text(rb)).toContain("ndfc.listVrfs");
    await a.close();
    await b.close();
  });
});

describe("transport security", () => {
  const post = (headers: Record<string, string>, body: unknown = { jsonrpc: "2.0", id: 1, method: "tools/list" }) =>
    world.gw.fetchApi("/mcp", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        host: "localhost",
        ...headers,
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  test("no token → 401 with WWW-Authenticate; a wrong token → 401 invalid_token", async () => {
    const none = await post({});
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    const wrong = await post({ authorization: "Bearer nmg_nonsense_token" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  test("a foreign Host or Origin is refused with 403 (DNS rebinding)", async () => {
    expect((await post({ authorization: `Bearer ${world.tokens.vera}`, host: "evil.example.com" })).status).toBe(403);
    expect(
      (await post({ authorization: `Bearer ${world.tokens.vera}`, origin: "http://evil.example.com" })).status,
    ).toBe(403);
  });

  test("malformed JSON, batches and oversized bodies get clear JSON-RPC errors", async () => {
    const auth = { authorization: `Bearer ${world.tokens.vera}` };
    const bad = await post(auth, "{not json");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe(-32700);
    const batch = await post(auth, [{ jsonrpc: "2.0", id: 1, method: "tools/list" }]);
    expect((await batch.json()).error.message).toContain("batch requests are not supported");
    const huge = await post(auth, {
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "x", arguments: { a: "x".repeat(2_000_000) } },
    });
    expect(huge.status).toBe(413);
  });

  test("the browser session cookie is never accepted on MCP endpoints", async () => {
    const res = await post({ cookie: "__Host-nmg_session=anything.at-all" });
    expect(res.status).toBe(401);
  });

  test("a POST to another user's SSE session is refused and nothing reaches that stream", async () => {
    const res = await world.gw.fetchApi("/mcp/sse", {
      headers: { authorization: `Bearer ${world.tokens.vera}`, host: "localhost" },
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const endpoint = /data: (\S+)/.exec(first)![1]!;
    const foreign = await world.gw.fetchApi(endpoint, {
      method: "POST",
      headers: { authorization: `Bearer ${world.tokens.olga}`, host: "localhost", "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/list" }),
    });
    expect(foreign.status).toBe(404);
    const unknown = await world.gw.fetchApi("/mcp/messages?sessionId=00000000-0000-0000-0000-000000000000", {
      method: "POST",
      headers: { authorization: `Bearer ${world.tokens.vera}`, host: "localhost", "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 8, method: "tools/list" }),
    });
    expect(unknown.status).toBe(404);
    await reader.cancel();
  });
});
