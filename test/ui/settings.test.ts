// The security settings page through the real HTTPS UI listener: edit mode on for a duration
// (with its countdown) and off, the whitelist found by searching the catalog, constraints,
// approval rules and settings, tool profiles with their tools/list cost; bad input answered
// with what is wrong; every change audited with the session's user; hostile values escaped.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { getApprovalSettings } from "../../app/policy/approvals.ts";
import { loadPolicySnapshot } from "../../app/policy/policy.sql.ts";
import { addUser } from "../identity/helpers.ts";
import { auditSince, lastAuditId } from "../mcp/mcp-test-kit.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { UiClient } from "./ui-client.ts";

let srv: TestServer;
let ui: UiClient;
beforeAll(async () => {
  srv = await startTestServer();
  const u = await addUser(srv.db.sql, { username: "sam", roles: ["admin"] });
  ui = new UiClient(srv);
  expect((await ui.login(u.username, u.password)).status).toBe(303);
  await ui.page("/settings");
});
afterAll(() => srv.stop());

test("edit mode turns on for the chosen minutes with a countdown, and off again; both audited", async () => {
  const sql = srv.db.sql;
  const mark = await lastAuditId(sql);
  const res = await ui.post("/settings/edit-mode", { state: "on", minutes: "5" });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/settings?saved=edit-on");
  const policy = await loadPolicySnapshot(sql);
  expect(policy.editMode.enabled).toBe(true);
  const left = policy.editMode.expiresAt!.getTime() - Date.now();
  expect(left).toBeGreaterThan(4.9 * 60_000);
  expect(left).toBeLessThanOrEqual(5 * 60_000);
  const { text } = await ui.page("/settings?saved=edit-on");
  expect(text).toContain("Edit mode is on.");
  expect(text).toContain(`data-countdown="${policy.editMode.expiresAt!.toISOString()}"`);
  expect(text).toMatch(/data-countdown="[^"]+">4 min 5\d s</);
  const status = await (await ui.request("/settings/edit-mode", { headers: { "hx-request": "true" } })).text();
  expect(status).toStartWith(`<div id="edit-mode-status"`);
  expect(status).toContain("ON");

  expect((await ui.post("/settings/edit-mode", { state: "on", minutes: "0" })).status).toBe(400);
  const bad = await ui.post("/settings/edit-mode", { state: "on", minutes: "abc" });
  expect(await bad.text()).toContain("whole number of minutes from 1 to 1440");

  await ui.post("/settings/edit-mode", { state: "off" });
  expect((await loadPolicySnapshot(sql)).editMode.enabled).toBe(false);
  const rows = (await auditSince(sql, mark)).filter((r) => r.action.startsWith("settings.edit_mode"));
  expect(rows.map((r) => [r.action, r.username])).toEqual([
    ["settings.edit_mode.on", "sam"],
    ["settings.edit_mode.off", "sam"],
  ]);
});

test("the whitelist is edited by searching the catalog; unknown ids are refused with a hint", async () => {
  const search = await ui.request("/settings/operations?q=create+vrf", { headers: { "hx-request": "true" } });
  const fragment = await search.text();
  expect(fragment).toStartWith(`<div id="op-results"`);
  expect(fragment).toContain("ndfc.createVrf");
  expect(fragment).toMatch(/badge warn">write</);
  expect(fragment).toContain("POST /appcenter");

  const unknown = await ui.post("/settings/whitelist/add", { operation: "ndfc.noSuchThing" });
  expect(unknown.status).toBe(400);
  expect(await unknown.text()).toContain("is not an operation of the active catalog");

  expect((await ui.post("/settings/whitelist/add", { operation: "ndfc.createVrf" })).status).toBe(303);
  expect((await loadPolicySnapshot(srv.db.sql)).whitelist.has("ndfc.createVrf")).toBe(true);
  const { text } = await ui.page("/settings");
  expect(text).toContain("Remove ndfc.createVrf from the whitelist");
  const again = await (
    await ui.request("/settings/operations?q=create+vrf", { headers: { "hx-request": "true" } })
  ).text();
  expect(again).toContain("whitelisted");
  expect((await ui.post("/settings/whitelist/remove", { operation: "ndfc.createVrf" })).status).toBe(303);
  expect((await loadPolicySnapshot(srv.db.sql)).whitelist.size).toBe(0);
});

test("constraints, approval rules and approval settings; hostile values are escaped", async () => {
  const sql = srv.db.sql;
  const badParam = await ui.post("/settings/constraints/add", {
    operation: "ndfc.*",
    param: "<b>x</b>",
    allowed: "a",
    applies: "write",
  });
  expect(badParam.status).toBe(400);
  const body = await badParam.text();
  expect(body).toContain("&lt;b&gt;x&lt;/b&gt;");
  expect(body).not.toContain("<b>x</b>");

  expect(
    (
      await ui.post("/settings/constraints/add", {
        operation: "ndfc.*Vrf*",
        param: "fabric",
        allowed: `lab-1, <img src=x onerror=alert(1)>`,
        applies: "all",
      })
    ).status,
  ).toBe(303);
  const c = (await loadPolicySnapshot(sql)).constraints[0]!;
  expect(c.allowed).toEqual(["lab-1", "<img src=x onerror=alert(1)>"]);
  expect(c.appliesTo).toBe("all");
  const { text } = await ui.page("/settings");
  expect(text).toContain("&lt;img src=x onerror=alert(1)&gt;");
  expect(text).not.toContain("<img src=x");
  expect((await ui.post("/settings/constraints/remove", { id: c.id })).status).toBe(303);

  expect((await ui.post("/settings/approval-rules/add", { pattern: "ndfc.deploy*" })).status).toBe(303);
  expect((await loadPolicySnapshot(sql)).approvalPatterns).toEqual(["ndfc.deploy*"]);
  expect((await ui.post("/settings/approval-rules/add", { pattern: "bad pattern!" })).status).toBe(400);
  expect((await ui.post("/settings/approval-rules/remove", { pattern: "ndfc.deploy*" })).status).toBe(303);

  expect((await ui.post("/settings/approvals", { ttl: "15", self: "1" })).status).toBe(303);
  expect(await getApprovalSettings(sql)).toEqual({ ttlMinutes: 15, allowSelfApproval: true });
  expect((await ui.post("/settings/approvals", { ttl: "15" })).status).toBe(303);
  expect((await getApprovalSettings(sql)).allowSelfApproval).toBe(false);
  expect((await ui.post("/settings/approvals", { ttl: "99999" })).status).toBe(400);
});

test("tool profiles show each role's tools/list cost; saving one is validated", async () => {
  const { text } = await ui.page("/settings");
  const viewerRow =
    /<tr><td>viewer<\/td><td><code>default<\/code>[^<]*(?:<span class="hint">\(read-only\)<\/span>)?<\/td><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/.exec(
      text,
    );
  expect(viewerRow).not.toBeNull();
  expect(Number(viewerRow![1])).toBeGreaterThan(3);
  expect(Number(viewerRow![2])).toBeGreaterThan(100);
  expect((await ui.post("/settings/profiles", { name: "Bad Name", mode: "meta" })).status).toBe(400);
  expect(
    (
      await ui.post("/settings/profiles", {
        name: "vrf-tools",
        mode: "operations",
        operations: "ndfc.*Vrf*",
        budget: "3000",
        description: `"><script>x</script>`,
      })
    ).status,
  ).toBe(303);
  const after = await ui.page("/settings");
  expect(after.text).toContain("vrf-tools");
  expect(after.text).toContain("&quot;&gt;&lt;script&gt;x&lt;/script&gt;");
});

test("only settings:manage reaches the page and its changes", async () => {
  const u = await addUser(srv.db.sql, { username: "opal", roles: ["operator"] });
  const op = new UiClient(srv);
  await op.login(u.username, u.password);
  await op.page("/");
  expect((await op.request("/settings")).status).toBe(403);
  expect((await op.post("/settings/edit-mode", { state: "on", minutes: "5" })).status).toBe(403);
  expect((await loadPolicySnapshot(srv.db.sql)).editMode.enabled).toBe(false);
});
