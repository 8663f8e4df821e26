// The governance flow in a real Chromium against the real gateway and ND simulator: an admin
// turns edit mode on for 5 minutes, whitelists an operation found by searching the catalog and
// adds an approval rule; a write made through MCP (official SDK client) waits for approval; a
// second user, whose Approvals page updates itself, approves it; the write then succeeds and its
// intent and outcome are on the audit page; the filter is exported as CSV; keys are rotated and
// a cluster tested. Hostile values never run; axe finds no serious or critical violation.
// With NMG_SCREENSHOTS=DIR (`bun run screenshots`) it also writes these pages, as the flow leaves
// them (a request waiting, a write's rows), to DIR.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import type { Client } from "@modelcontextprotocol/client";
import { addUser } from "../identity/helpers.ts";
import { call, firstFabric, textOf } from "../mcp/mcp-test-kit.ts";
import { startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { axeProblems, haveChromium, launch, profile, recordDialogs, signIn } from "./browser-kit.ts";

const SHOTS = process.env.NMG_SCREENSHOTS ? resolve(process.env.NMG_SCREENSHOTS) : null;
const HOSTILE = `"><img src=x onerror=alert(1)><script>alert(2)</script>`;

let world: McpWorld;
let browser: Browser;
let olga: Client;
let base: string;
const dialogs: string[] = [];
const axe: string[] = [];

async function check(page: Page, shot?: string): Promise<void> {
  await page.waitForLoadState("networkidle");
  axe.push(...(await axeProblems(page)));
  if (SHOTS && shot) await page.screenshot({ path: join(SHOTS, `${shot}.png`), fullPage: true });
}

beforeAll(async () => {
  world = await startMcpWorld();
  base = world.gw.server.ui.url.replace(/\/$/, "");
  const sql = world.gw.db.sql;
  await addUser(sql, { username: "bea", roles: ["admin"] });
  await addUser(sql, { username: "ann", roles: ["admin"] });
  olga = await world.connect("olga", "http");
  browser = await launch();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await olga?.close();
  await world?.stop();
});

test.skipIf(!haveChromium())(
  "edit mode, whitelist, approval in the browser by a second user, audit, export, keys, cluster test",
  async () => {
    const { PASSWORD } = await import("../identity/helpers.ts");
    const admin = await (await profile(browser)).newPage();
    recordDialogs(admin, dialogs);
    await signIn(admin, base, "bea", PASSWORD);

    // 1. Edit mode on for 5 minutes, with its countdown.
    await admin.getByRole("link", { name: "Security settings" }).click();
    await admin.waitForURL(`${base}/settings`);
    await admin.getByLabel("Turn on for").fill("5");
    await admin.getByRole("button", { name: "Turn edit mode on" }).click();
    await admin.getByText("Edit mode is on.").waitFor();
    const countdown = admin.locator("#edit-mode-status [data-countdown]");
    await expect(countdown.textContent()).resolves.toMatch(/^4 min \d\d s$/);
    // It counts down by itself (app.js, no inline script).
    const first = await countdown.textContent();
    await admin.waitForFunction(
      (before) => document.querySelector("#edit-mode-status [data-countdown]")?.textContent !== before,
      first,
      { timeout: 5_000 },
    );

    // 2. Whitelist an operation found by searching the catalog.
    await admin.getByLabel("Search the catalog").fill("create vrf");
    await admin.getByRole("button", { name: "Whitelist ndfc.createVrf" }).click();
    await admin.getByText("Added to the whitelist.").waitFor();
    await admin.getByRole("button", { name: "Remove ndfc.createVrf from the whitelist" }).waitFor();

    // 3. An approval rule for it.
    await admin.getByLabel("Operation id or pattern").first().fill("ndfc.createVrf");
    await admin.getByRole("button", { name: "Add rule" }).click();
    await admin.getByText("Approval rule added.").waitFor();
    await check(admin, "settings");

    // 4. The approver's page is open before the request exists: it must update itself.
    const approver = await (await profile(browser)).newPage();
    recordDialogs(approver, dialogs);
    await signIn(approver, base, "ann", PASSWORD);
    await approver.getByRole("link", { name: "Approvals" }).click();
    await approver.getByText("No request is waiting.").waitFor();

    const fabric = await firstFabric(olga);
    const args = {
      operation: "ndfc.createVrf",
      params: { fabric },
      body: { fabric, vrfName: "gov71", vrfId: 71_001, vrfDescription: HOSTILE },
    };
    const refused = await call(olga, "call_operation", args);
    expect(refused.isError).toBe(true);
    const id = refused.structuredContent!.approvalId as string;
    const link = `${base}/approvals/${id}`;
    expect(textOf(refused)).toContain(link);

    await approver.getByRole("link", { name: "Review" }).waitFor({ timeout: 15_000 });
    expect(await approver.locator("#pending-approvals").textContent()).toContain("olga");
    await check(approver, "approvals");
    // The link the model relays leads straight to the request.
    await approver.goto(link);
    await approver.getByText("Exact arguments").waitFor();
    expect(await approver.locator("pre.args-full").textContent()).toContain(HOSTILE);
    await check(approver, "approval-request");
    await approver.getByLabel("Reason").fill("change CHG-71, checked the VRF id");
    await approver.getByRole("button", { name: "Approve this call" }).click();
    await approver.getByText("Approved. The requester may now repeat the call once").waitFor();

    // 5. The write succeeds once approved.
    const ran = await call(olga, "call_operation", { ...args, approvalId: id });
    expect(ran.isError ? textOf(ran) : "ok").toBe("ok");

    // 6. Its intent and outcome on the audit page.
    await admin.getByRole("link", { name: "Audit" }).click();
    await admin.waitForURL(`${base}/audit`);
    await admin.getByRole("heading", { name: "Audit log" }).waitFor();
    await admin.locator("form.filters input[name=operation]").fill("ndfc.createVrf");
    await admin.locator("form.filters select[name=status]").selectOption("ok");
    await admin.getByRole("button", { name: "Filter" }).click();
    await admin.waitForURL(/operation=ndfc.createVrf/);
    await check(admin, "audit");
    await admin.locator("#audit-results tbody tr").first().locator("a").first().click();
    await admin.getByText("This call's rows").waitFor();
    const phases = await admin.locator("table").last().locator("tbody tr td:nth-child(2)").allTextContents();
    expect(phases).toEqual(["intent", "outcome"]);
    await check(admin, "audit-event");

    // 7. Export the filter as CSV.
    await admin.goBack();
    await admin.locator("#audit-results").waitFor();
    const [download] = await Promise.all([
      admin.waitForEvent("download"),
      admin.getByRole("link", { name: "CSV" }).click(),
    ]);
    const csv = readFileSync((await download.path())!, "utf8")
      .trimEnd()
      .split("\n");
    expect(csv[0]).toStartWith(`"occurredAt","seq","id"`);
    // The filter (operation ndfc.createVrf, status ok): the whitelist entry, the approval, the write's outcome.
    expect(csv.slice(1).map((l) => /^"[^"]*","[^"]*","[^"]*","event","([^"]+)"/.exec(l)?.[1])).toEqual([
      "settings.whitelist.add",
      "approval.approve",
      "mcp.call",
    ]);

    // 8. Rotate keys.
    await admin.getByRole("link", { name: "System" }).click();
    await admin.waitForURL(`${base}/system`);
    const before = world.gw.server.services.keyring.describe().activeVersion;
    await admin.getByRole("button", { name: "Rotate keys" }).click();
    await admin.getByText("Keys rotated").waitFor();
    expect(world.gw.server.services.keyring.describe().activeVersion).toBe(before + 1);
    await check(admin, "system");

    // 9. Test a cluster.
    await admin.getByRole("link", { name: "Clusters" }).click();
    await admin.waitForURL(`${base}/clusters`);
    await admin.getByRole("button", { name: "Test the connection to sim" }).click();
    await admin.getByText("sim: connection works.").waitFor();
    await check(admin, "clusters");
    await admin.getByRole("link", { name: "Add a cluster" }).click();
    await admin.getByText("I understand the risk").waitFor();
    await check(admin, "cluster-form");

    expect(dialogs).toEqual([]);
    expect(axe).toEqual([]);
  },
  120_000,
);
