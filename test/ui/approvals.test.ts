// The approvals page through the real HTTPS UI listener, with a real refused write made by the
// official MCP SDK client: the request appears (escaped), the list polls as a fragment, deny needs
// a reason, approve is audited with the approver's address and browser, the write then runs
// once, and an approver's own request cannot be approved by them (four eyes).
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { addApprovalRule, setEditMode } from "../../app/policy/policy-settings.ts";
import { cliCaller } from "../support/callers.ts";
import { addUser } from "../identity/helpers.ts";
import { ADMIN_PASSWORD, startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { auditSince, call, firstFabric, lastAuditId, textOf } from "../mcp/mcp-test-kit.ts";
import { UiClient } from "./ui-client.ts";

let world: McpWorld;
let olga: Client;
let fabric: string;
let ann: UiClient;
const HOSTILE = `<script>alert("x")</script><img src=x onerror=alert(1)>`;

beforeAll(async () => {
  world = await startMcpWorld();
  const sql = world.gw.db.sql;
  await setEditMode(sql, cliCaller("test"), true, null);
  await addApprovalRule(sql, cliCaller("test"), "ndfc.createVrf");
  olga = await world.connect("olga", "http");
  fabric = await firstFabric(olga);
  const u = await addUser(sql, { username: "ann", roles: ["admin"] });
  ann = new UiClient(world.gw);
  expect((await ann.login(u.username, u.password)).status).toBe(303);
});
afterAll(async () => {
  await olga?.close();
  await world?.stop();
});

test("a refused write appears on the page, escaped; approving it (audited) lets the same call run once", async () => {
  const sql = world.gw.db.sql;
  const args = {
    operation: "ndfc.createVrf",
    params: { fabric },
    body: { fabric, vrfName: "blue61", vrfId: 61_001, vrfDescription: HOSTILE },
  };
  const refused = await call(olga, "call_operation", args);
  const id = refused.structuredContent!.approvalId as string;
  expect(textOf(refused)).toContain(`/approvals/${id}`);

  const { res, text } = await ann.page("/approvals");
  expect(res.status).toBe(200);
  expect(text).toContain("olga");
  expect(text).toContain("ndfc.createVrf");
  expect(text).toContain(`/approvals/${id}`);
  expect(text).toContain(String.raw`&lt;script&gt;alert(\&quot;x\&quot;)&lt;/script&gt;`);
  expect(text).not.toContain("<script>alert");
  expect(text).not.toContain("<img src=x");

  // The self-refreshing list answers htmx with just itself.
  const poll = await ann.request("/approvals", { headers: { "hx-request": "true", "hx-target": "pending-approvals" } });
  const fragment = await poll.text();
  expect(fragment).toStartWith(`<div id="pending-approvals"`);
  expect(fragment).not.toContain("<html");
  expect(fragment).toContain(id);

  const detail = await ann.page(`/approvals/${id}`);
  expect(detail.text).toContain("POST /appcenter");
  expect(detail.text).toContain("&quot;vrfName&quot;: &quot;blue61&quot;");

  // Deny without a reason: refused with a clear message; nothing decided.
  const noReason = await ann.post(`/approvals/${id}/decide`, { decision: "deny", reason: "" });
  expect(noReason.status).toBe(400);
  expect(await noReason.text()).toContain("say why you deny");

  const mark = await lastAuditId(sql);
  const approved = await ann.post(
    `/approvals/${id}/decide`,
    { decision: "approve", reason: "change ticket 42" },
    { headers: { "user-agent": "TestBrowser/1.0" } },
  );
  expect(approved.status).toBe(303);
  expect(approved.headers.get("location")).toBe(`/approvals/${id}?decided=approve`);
  const rows = await auditSince(sql, mark);
  const audit = rows.find((r) => r.action === "approval.approve")!;
  expect(audit.username).toBe("ann");
  const [meta] = await sql<
    { client_ip: string | null; user_agent: string | null }[]
  >`select client_ip, user_agent from audit_events where id = ${audit.id}::bigint`;
  expect(meta!.client_ip).toBe("127.0.0.1");
  expect(meta!.user_agent).toBe("TestBrowser/1.0");

  const after = await ann.page(`/approvals/${id}?decided=approve`);
  expect(after.text).toContain("Approved.");
  expect(after.text).not.toContain("Approve this call");
  expect((await ann.post(`/approvals/${id}/decide`, { decision: "approve", reason: "" })).status).toBe(409);

  const ran = await call(olga, "call_operation", { ...args, approvalId: id });
  expect(ran.isError ? textOf(ran) : "ok").toBe("ok");
});

test("four eyes: an approver sees their own request but cannot approve it; a viewer cannot open the page", async () => {
  const admin = await world.connect("admin", "http");
  try {
    const refused = await call(admin, "call_operation", {
      operation: "ndfc.createVrf",
      params: { fabric },
      body: { fabric, vrfName: "own", vrfId: 61_002 },
    });
    const id = refused.structuredContent!.approvalId as string;
    const ui = new UiClient(world.gw);
    expect((await ui.login("admin", ADMIN_PASSWORD)).status).toBe(303);
    const page = await ui.page(`/approvals/${id}`);
    expect(page.text).toContain("This is your own request");
    expect(page.text).toMatch(/value="approve" disabled/);
    const res = await ui.post(`/approvals/${id}/decide`, { decision: "approve", reason: "" });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain("four eyes");
    // Another approver may.
    expect((await ann.post(`/approvals/${id}/decide`, { decision: "deny", reason: "not today" })).status).toBe(303);
    expect((await ann.page(`/approvals/${id}`)).text).toContain("not today");
  } finally {
    await admin.close();
  }
  const sql = world.gw.db.sql;
  const v = await addUser(sql, { username: "vic", roles: ["viewer"] });
  const viewer = new UiClient(world.gw);
  await viewer.login(v.username, v.password);
  expect((await viewer.request("/approvals")).status).toBe(403);
});
