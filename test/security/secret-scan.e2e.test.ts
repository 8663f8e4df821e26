/**
 * After a scripted session through the real gateway — logins (right and wrong password), MCP
 * calls with API tokens over both transports (allowed and denied, including a call carrying a
 * password argument), ND logins with the cluster's stored credentials — no password, API token
 * or ND credential appears in any log line, any table or any audit row.
 */
import { afterAll, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { createLogger } from "../../app/log.ts";
import { login } from "../../app/identity/login.ts";
import { DEFAULT_SESSION_SETTINGS } from "../../app/identity/sessions.ts";
import { ADMIN_PASSWORD, startMcpWorld } from "../support/mcp-world.ts";

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _e, done) {
    lines.push(String(chunk));
    done();
  },
});
const world = await startMcpWorld({}, createLogger("trace", sink));
afterAll(() => world.stop());

test("no secret in logs, tables or audit rows after a scripted session", async () => {
  const sql = world.gw.db.sql;
  const deps = {
    passwords: world.gw.server.services.passwords,
    sessions: DEFAULT_SESSION_SETTINGS,
    throttle: { maxFailures: 5, lockoutMs: 60_000 },
  };
  const session = await login(sql, { username: "olga", password: ADMIN_PASSWORD, clientIp: "192.0.2.1" }, deps);
  await login(sql, { username: "olga", password: "Wrong-password-123", clientIp: "192.0.2.1" }, deps).catch(() => {});

  for (const kind of ["http", "sse"] as const) {
    const client = await world.connect("vera", kind);
    await client.callTool({ name: "list_switches", arguments: { limit: 2 } });
    await client.callTool({ name: "call_operation", arguments: { operation: "orchestrator.listSites" } });
    await client.callTool({
      name: "call_operation",
      arguments: {
        operation: "ndfc.createVrf",
        params: { fabric: "x" },
        body: { password: "body-secret-Zq9", vrfName: "v" },
      },
    });
    await client.close();
  }
  await world.gw.fetchApi("/mcp", {
    method: "POST",
    headers: { authorization: `Bearer ${world.tokens.olga}x`, host: "localhost" },
    body: "{}",
  });
  await Bun.sleep(300);

  const secrets = [
    ADMIN_PASSWORD,
    "Wrong-password-123",
    "nd-sim-password",
    "body-secret-Zq9",
    session.token,
    ...Object.values(world.tokens),
  ];
  const logText = lines.join("");
  expect(lines.length).toBeGreaterThan(10);
  for (const s of secrets) expect(logText.includes(s)).toBe(false);

  const tables = await sql<
    { name: string }[]
  >`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  for (const { name } of tables) {
    const rows = await sql`select * from ${sql(name)}`;
    const text = JSON.stringify(rows);
    for (const s of secrets) expect({ table: name, leaked: text.includes(s) }).toEqual({ table: name, leaked: false });
  }
  const [audit] = await sql<{ n: number }[]>`select count(*)::int as n from audit_events where action = 'mcp.call'`;
  expect(audit!.n).toBeGreaterThanOrEqual(6);
});
