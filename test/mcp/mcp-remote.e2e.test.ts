/**
 * mcp-remote — the bridge Claude Desktop uses — driven headless over stdio against the real
 * gateway, trusting its certificate through NODE_EXTRA_CA_CERTS as the demo's config does.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { startMcpWorld } from "../support/mcp-world.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const caFile = join(mkdtempSync(join(tmpdir(), "nmg-ca-")), "gateway.pem");
writeFileSync(caFile, world.gw.server.tls.cert);

async function bridge(
  url: string,
  transport: string,
  messages: object[],
): Promise<Map<number, { result?: any; error?: any }>> {
  const proc = Bun.spawn(
    [
      "node",
      resolve(import.meta.dir, "../../node_modules/.bin/mcp-remote"),
      url,
      "--transport",
      transport,
      "--header",
      `Authorization: Bearer ${world.tokens.vera}`,
    ],
    {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_EXTRA_CA_CERTS: caFile,
        MCP_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "nmg-mr-")),
      },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    },
  );
  const replies = new Map<number, { result?: any; error?: any }>();
  const reader = proc.stdout.getReader();
  let buffer = "";
  const want = messages.filter((m) => "id" in m).length;
  const pump = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += new TextDecoder().decode(value);
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i);
        buffer = buffer.slice(i + 1);
        if (line.trim().startsWith("{")) {
          const msg = JSON.parse(line);
          if (msg.id !== undefined) replies.set(msg.id, msg);
        }
      }
      if (replies.size >= want) return;
    }
  })();
  for (const m of messages) {
    proc.stdin.write(`${JSON.stringify(m)}\n`);
    if ("id" in m) for (let t = 0; t < 200 && !replies.has((m as { id: number }).id); t++) await Bun.sleep(100);
  }
  await Promise.race([pump, Bun.sleep(20_000)]);
  proc.kill("SIGTERM");
  return replies;
}

const script = [
  {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "claude-ai", version: "0.1" } },
  },
  { jsonrpc: "2.0", method: "notifications/initialized" },
  { jsonrpc: "2.0", id: 2, method: "tools/list" },
  {
    jsonrpc: "2.0",
    id: 3,
    method: "tools/call",
    params: { name: "list_switches", arguments: { fields: ["hostname"], limit: 2 } },
  },
];

for (const [transport, path] of [
  ["sse-only", "/mcp/sse"],
  ["http-first", "/mcp"],
] as const) {
  test(`mcp-remote ${transport}: initialize, tools/list and a tool call through the bridge`, async () => {
    const replies = await bridge(world[path === "/mcp" ? "mcpUrl" : "sseUrl"], transport, script);
    expect(replies.get(1)?.result?.serverInfo?.name).toBe("nexus-mcp-gateway");
    expect(replies.get(2)?.result?.tools?.length).toBe(11);
    expect(replies.get(3)?.result?.content?.[0]?.text).toContain("switches: 1–2 of 40");
    const [row] = await world.gw.db.sql<{ user_agent: string | null }[]>`
      select user_agent from audit_events where action = 'mcp.call' order by id desc limit 1`;
    expect(row?.user_agent ?? "").toContain("mcp-remote");
  }, 60_000);
}
