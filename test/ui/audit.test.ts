// The audit page through the real HTTPS UI listener over real rows: filters, keyset paging,
// a write's detail with its intent and outcome, chain verification, streamed CSV/JSONL export
// with the CLI's neutralisation (and the export itself audited), hostile values escaped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { cliCaller } from "../support/callers.ts";
import { addUser } from "../identity/helpers.ts";
import { auditSince, call, firstFabric, lastAuditId } from "../mcp/mcp-test-kit.ts";
import { startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { UiClient } from "./ui-client.ts";

let world: McpWorld;
let ui: UiClient;
const HOSTILE = `<script>alert(1)</script>`;

beforeAll(async () => {
  world = await startMcpWorld();
  const sql = world.gw.db.sql;
  const u = await addUser(sql, { username: "aud", roles: ["admin"] });
  ui = new UiClient(world.gw);
  expect((await ui.login(u.username, u.password)).status).toBe(303);
  await ui.page("/audit");
});
afterAll(() => world?.stop());

test("a write made through MCP shows its intent and outcome; filters narrow the list", async () => {
  const sql = world.gw.db.sql;
  await setEditMode(sql, cliCaller("t"), true, null);
  const olga = await world.connect("olga", "http");
  const fabric = await firstFabric(olga);
  const mark = await lastAuditId(sql);
  const res = await call(olga, "call_operation", {
    operation: "ndfc.createVrf",
    params: { fabric },
    body: { fabric, vrfName: "aud62", vrfId: 62_001 },
  });
  expect(res.isError).toBeFalsy();
  await olga.close();
  const rows = (await auditSince(sql, mark)).filter((r) => r.operation_id === "ndfc.createVrf");
  expect(rows.map((r) => r.status)).toEqual(["pending", "ok"]);

  const list = await ui.page("/audit?user=olga&operation=ndfc.createVrf");
  expect(list.text).toContain(`/audit/${rows[0]!.id}`);
  expect(list.text).toContain(`/audit/${rows[1]!.id}`);
  expect(list.text).not.toContain(">auth.login<");
  // htmx asks for the results only.
  const fragment = await (
    await ui.request("/audit?action=mcp.&status=ok", { headers: { "hx-request": "true" } })
  ).text();
  expect(fragment).toStartWith(`<div id="audit-results">`);
  expect(fragment).toContain(`/audit/${rows[1]!.id}`);
  expect(fragment).not.toContain(`/audit/${rows[0]!.id}"`);

  const detail = await ui.page(`/audit/${rows[1]!.id}`);
  expect(detail.text).toContain("This call's rows");
  expect(detail.text).toMatch(/<td>intent<\/td>[\s\S]*<td>outcome<\/td>/);
  expect(detail.text).toContain(`href="/audit/${rows[0]!.id}"`);
  expect(detail.text).toContain("&quot;vrfName&quot;: &quot;aud62&quot;");
  expect(detail.text).toContain("Chain position");

  const bad = await ui.request("/audit?since=yesterday-ish");
  expect(bad.status).toBe(400);
  expect(await bad.text()).toContain("is not a date and time");
  expect((await ui.request("/audit/999999999")).status).toBe(404);
});

test("keyset paging walks every matching row once, newest first", async () => {
  const sql = world.gw.db.sql;
  for (let i = 0; i < 120; i++)
    await recordAudit(sql, { action: "mcp.call", status: "ok", actor: { username: "pager" }, reason: `row ${i}` });
  const seen: string[] = [];
  let path: string | null = "/audit?user=pager";
  let pages = 0;
  while (path) {
    const { text }: { text: string } = await ui.page(path);
    seen.push(...[...text.matchAll(/<td>row (\d+)<\/td>/g)].map((m) => m[1]!));
    const older: RegExpExecArray | null = /href="(\/audit\?[^"]*cursor=[^"]+)">Older/.exec(text);
    path = older ? older[1]!.replace(/&amp;/g, "&") : null;
    pages++;
  }
  expect(pages).toBe(3);
  expect(seen.length).toBe(120);
  expect(new Set(seen).size).toBe(120);
  expect(seen[0]).toBe("119");
  expect(seen[119]).toBe("0");
});

test("hostile values are escaped; verify says intact; CSV and JSONL exports stream the filter, neutralised and audited", async () => {
  const sql = world.gw.db.sql;
  const { id } = await recordAudit(sql, {
    action: "backup.restore",
    status: "denied",
    actor: { username: HOSTILE, userAgent: `"><img src=x onerror=alert(1)>` },
    reason: `=HYPERLINK("http://evil")`,
    details: { note: `\u001b[31mred\u0007` },
  });
  const detail = await ui.page(`/audit/${id}`);
  expect(detail.text).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(detail.text).not.toContain("<script>alert(1)");
  expect(detail.text).not.toContain("<img src=x");
  const list = await ui.page("/audit?action=backup.restore");
  expect(list.text).not.toContain("<script>alert(1)");

  const verify = await ui.post("/audit/verify", {}, { headers: { "hx-request": "true" } });
  expect(verify.status).toBe(200);
  expect(await verify.text()).toContain("The chain is intact");

  const mark = await lastAuditId(sql);
  const csv = await ui.request("/audit/export?action=backup.restore&format=csv");
  expect(csv.headers.get("content-type")).toStartWith("text/csv");
  expect(csv.headers.get("content-disposition")).toMatch(/^attachment; filename="audit-\d{8}-\d{6}\.csv"$/);
  const lines = (await csv.text()).trimEnd().split("\n");
  expect(lines.length).toBe(2);
  expect(lines[0]).toStartWith(`"occurredAt","seq","id"`);
  expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil"")"`);
  expect(lines[1]).toContain("\\u001b[31mred\\u0007");
  expect(lines[1]).not.toContain("\u001b");

  const jsonl = await ui.request("/audit/export?user=pager&format=jsonl");
  const objects = (await jsonl.text())
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
  expect(objects.length).toBe(120);
  expect(objects[0].reason).toBe("row 0");
  const exports = (await auditSince(sql, mark)).filter((r) => r.action === "audit.export");
  expect(exports.map((r) => [r.username, (r.details as { format: string }).format])).toEqual([
    ["aud", "csv"],
    ["aud", "jsonl"],
  ]);
});

test("only audit:read sees the log", async () => {
  const u = await addUser(world.gw.db.sql, { username: "vix", roles: ["viewer"] });
  const op = new UiClient(world.gw);
  await op.login(u.username, u.password);
  expect((await op.request("/audit")).status).toBe(403);
  expect((await op.request("/audit/export?format=csv")).status).toBe(403);
});
