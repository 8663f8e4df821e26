// Issue 11: GET /metrics on the API listener — its access rule and the numbers a user reads.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { metricValue } from "../support/gateway-process.ts";

let w: McpWorld;
let base: string;
const get = (headers: Record<string, string> = {}) =>
  fetch(`${base}/metrics`, { headers, tls: { ca: w.gw.server.tls.cert } } as RequestInit);

beforeAll(async () => {
  // Loopback is NOT in the allowed networks here, so every scrape needs a token.
  w = await startMcpWorld({ METRICS_ALLOW: "10.0.0.0/8" });
  base = w.gw.server.api.url.replace("127.0.0.1", "localhost");
});
afterAll(() => w.stop());

describe("GET /metrics", () => {
  test("outside METRICS_ALLOW: no token → 401, a token without metrics:read → 403, an admin token → 200", async () => {
    const none = await get();
    expect(none.status).toBe(401);
    expect(await none.text()).toContain("metrics:read");
    expect((await get({ authorization: "Bearer nmg_000000000000000000000000_nope" })).status).toBe(401);
    const viewer = await get({ authorization: `Bearer ${w.tokens.vera}` });
    expect(viewer.status).toBe(403);
    expect(await viewer.text()).toContain("metrics:read");
    const ok = await get({ authorization: `Bearer ${w.tokens.admin}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/plain");
  });

  test("after calls it shows MCP operation durations by method, tool, cluster and outcome, ND timings, audit batches and caches", async () => {
    // Caches serve once this process's own set-up changes are confirmed by the change feed.
    const by = Date.now() + 10_000;
    while (!w.gw.server.services.caches.feed.usable() && Date.now() < by) await Bun.sleep(20);
    const client = await w.connect("vera", "http");
    await client.listTools();
    await client.callTool({ name: "list_fabrics", arguments: {} });
    await client.callTool({ name: "list_fabrics", arguments: {} });
    await client.close();
    const text = await (await get({ authorization: `Bearer ${w.tokens.admin}` })).text();
    expect(
      metricValue(
        text,
        'mcp_server_operation_duration_seconds_count{mcp_method_name="tools/call",gen_ai_tool_name="list_fabrics",cluster="sim",outcome="ok"}',
      ),
    ).toBeGreaterThanOrEqual(2);
    expect(
      metricValue(text, 'mcp_server_operation_duration_seconds_count{mcp_method_name="tools/list"'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      metricValue(text, 'nmg_nd_request_duration_seconds_count{cluster="sim",status="2xx"}'),
    ).toBeGreaterThanOrEqual(2);
    expect(metricValue(text, "nmg_audit_batch_size_count")).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "nmg_audit_flush_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, 'nmg_cache_lookups_total{cache="token",result="hit"}')).toBeGreaterThanOrEqual(1);
    expect(metricValue(text, "nmg_change_feed_up")).toBe(1);
    expect(metricValue(text, "nmg_approvals_pending")).toBe(0);
    expect(metricValue(text, "nmg_mcp_sse_sessions")).toBe(0);
    expect(text).toContain("nmg_db_pool_connections{");
    expect(text).toContain("nmg_rate_limit_refusals_total");
    // Nothing secret or per-user is ever a label.
    expect(text).not.toContain("vera");
    expect(text).not.toContain("nmg_0");
  });
});
