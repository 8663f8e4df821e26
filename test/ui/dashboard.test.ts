// The dashboard over the real UI listener: calls of the last 24 h as an SVG chart by outcome,
// top operations, the last audit events (escaped), edit mode with its end, tokens expiring
// within 7 days, the certificate; parts a role may not see are not shown.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { addUser, cli } from "../identity/helpers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
beforeAll(async () => {
  srv = await startTestServer();
});
afterAll(() => srv.stop());

test("an admin sees the calls chart, top operations, recent events, edit mode and expiring tokens", async () => {
  const sql = srv.db.sql;
  const a = await addUser(sql, { username: "ada", roles: ["admin"] });
  const actor = { username: "ada", via: "token" };
  for (const [status, op, n] of [
    ["ok", "listFabrics", 5],
    ["denied", "createVrf", 2],
    ["failed", "getSwitches", 1],
  ] as const) {
    for (let i = 0; i < n; i++)
      await recordAudit(sql, {
        action: "mcp.call",
        status,
        actor,
        target: { operationId: op },
        reason: `<script>alert(1)</script>`,
      });
  }
  await setEditMode(sql, cli(), true, new Date(Date.now() + 20 * 60_000));
  await createApiToken(sql, cli(), { username: "ada", name: `soon "<b>"`, ttlMs: 3 * 86_400_000 });
  const c = new UiClient(srv);
  await c.login(a.username, a.password);
  const { res, text } = await c.page("/");
  expect(res.status).toBe(200);
  expect(text).toMatch(
    /<svg class="chart"[^>]*aria-label="MCP calls per hour over the last 24 hours: 5 succeeded, 2 refused, 1 failed/,
  );
  expect(text).toContain('<rect class="denied"');
  expect(text).toMatch(/listFabrics<\/td><td class="num">5</);
  expect(text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(text).not.toContain("<script>alert(1)");
  expect(text).toMatch(/data-countdown="\d{4}-/);
  expect(text).toContain("soon &quot;&lt;b&gt;&quot;");
  expect(text).toContain("Tokens expiring within 7 days");
  expect(text).toMatch(/Certificate[\s\S]*?\d+ days/);
});

test("a viewer sees neither the audit nor the approvals", async () => {
  const v = await addUser(srv.db.sql, { username: "vic", roles: ["viewer"] });
  const c = new UiClient(srv);
  await c.login(v.username, v.password);
  const { text } = await c.page("/");
  expect(text).toContain("Edit mode");
  expect(text).not.toContain("audit events");
  expect(text).not.toContain("Pending approvals");
  expect(text).not.toContain('class="chart"');
  expect(text).toContain("Clusters");
});
