/**
 * The admin UI in a real Chromium against the real gateway over HTTPS and the ND simulator:
 * sign in, create a user with a role and a cluster, the forced password change, a token made on
 * Connect whose Claude Desktop configuration — pasted as shown — lists tools through mcp-remote,
 * tokens, my account, sign out; a cross-site form post from a second origin refused; hostile
 * values in every field shown as text; axe-core finds no serious or critical violation on any
 * of these pages; keyboard use. With NMG_SCREENSHOTS=DIR (`bun run screenshots`) it also
 * writes a 1280 px screenshot of every page of the navigation, plus dark and 800 px views.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { runConnectionTest } from "../../app/clusters/connection-test.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { ADMIN_PASSWORD, startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import {
  axeProblems,
  guardDialogs,
  launchBrowser,
  newContext,
  runClaudeDesktopConfig,
  signIn,
} from "../support/browser.ts";

const HOSTILE = `<script>alert("xss")</script>"' <img src=x onerror=alert(2)>`;
const NEW_PASSWORD = "a long and private passphrase 42";
const SHOTS = process.env.NMG_SCREENSHOTS ?? null;

let world: McpWorld;
let browser: Browser;
let base: string;
let caFile: string;
const dialogs: string[] = [];
const axe: string[] = [];

beforeAll(async () => {
  world = await startMcpWorld();
  browser = await launchBrowser();
  base = world.gw.server.ui.url.replace("127.0.0.1", "localhost").replace(/\/$/, "");
  caFile = join(mkdtempSync(join(tmpdir(), "nmg-ca-")), "gateway.pem");
  writeFileSync(caFile, world.gw.server.tls.cert);
  // Something for the dashboard to show: calls through MCP and a connection test.
  const client = await world.connect("olga", "http");
  for (let i = 0; i < 4; i++)
    await client.callTool({ name: "list_switches", arguments: { fields: ["hostname"], limit: 2 } });
  await client.callTool({ name: "list_fabrics", arguments: {} }).catch(() => undefined);
  // A write while edit mode is off: refused, so the chart shows more than one outcome.
  await client
    .callTool({
      name: "call_operation",
      arguments: {
        operation: "ndfc.createVrf",
        params: { fabric: "f1" },
        body: { fabric: "f1", vrfName: "v1", vrfId: 50001 },
      },
    })
    .catch(() => undefined);
  await client.close();
  await runConnectionTest(world.gw.db.sql, cliCaller("test"), "sim", { pool: world.gw.server.services.ndClients });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await world?.stop();
});

async function open(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  guardDialogs(page, dialogs);
  return page;
}

async function audit(page: Page): Promise<void> {
  axe.push(...(await axeProblems(page)));
}

/** Every script on the page is one of ours, loaded from a file: nothing was injected. */
async function noInjectedScript(page: Page): Promise<void> {
  expect(await page.locator("script:not([src])").count()).toBe(0);
  expect(await page.locator("img[src=x]").count()).toBe(0);
}

let erinPassword = "";

describe("the admin UI in Chromium", () => {
  test("an administrator signs in and creates a user with a role and a cluster", async () => {
    const context = await newContext(browser);
    const page = await open(context);
    await signIn(page, base, "admin", ADMIN_PASSWORD, "/users");
    expect(new URL(page.url()).pathname).toBe("/users");
    await audit(page);
    await page.getByLabel("Username").fill("erin");
    await page.getByLabel("Display name").fill(HOSTILE);
    await page.getByLabel("Email").fill("erin@example.com");
    await page.getByLabel("operator").check();
    await page.getByLabel("viewer").uncheck();
    await page.getByLabel("sim", { exact: true }).check();
    await page.getByRole("button", { name: "Create user" }).click();
    await page.getByText("User erin was created.").waitFor();
    erinPassword = (await page.locator("#one-time-password").textContent())!.trim();
    expect(erinPassword.length).toBeGreaterThan(11);
    expect(await page.getByText(HOSTILE).count()).toBeGreaterThan(0);
    await noInjectedScript(page);
    expect(new URL(page.url()).pathname).toBe("/users");
    await page.getByRole("link", { name: "erin" }).click();
    await page.getByRole("heading", { name: "erin", exact: true }).waitFor();
    await page.waitForURL(`${base}/users/erin`);
    expect(new URL(page.url()).pathname).toBe("/users/erin");
    expect(await page.getByLabel("operator").isChecked()).toBe(true);
    await audit(page);
    await page.getByRole("link", { name: "Roles", exact: true }).click();
    await page.getByRole("heading", { name: "Roles", exact: true }).waitFor();
    await page.waitForURL(`${base}/roles`);
    // Back and forward work across htmx navigations (pushed URLs, pages refetched).
    await page.goBack();
    await page.getByRole("heading", { name: "erin", exact: true }).waitFor();
    await page.goForward();
    await page.getByRole("heading", { name: "Roles", exact: true }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/roles");
    await page.getByLabel("Name").fill("auditor");
    await page.getByLabel("Description").fill(HOSTILE);
    await page.getByLabel(/^audit:read/).check();
    await page.getByRole("button", { name: "Create role" }).click();
    await page.getByText("Role auditor was created").waitFor();
    await noInjectedScript(page);
    await audit(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await context.close();
    const [row] = await world.gw.db.sql<{ username: string; client_ip: string; user_agent: string }[]>`
      select username, client_ip, user_agent from audit_events where action = 'user.create' and details->>'username' = 'erin'`;
    expect(row?.username).toBe("admin");
    expect(row?.user_agent).toContain("Chrome");
  }, 90_000);

  test("the new user changes the one-time password, creates a token on Connect and lists tools with the pasted Claude Desktop config", async () => {
    const context = await newContext(browser);
    const page = await open(context);
    await signIn(page, base, "erin", erinPassword);
    expect(new URL(page.url()).pathname).toBe("/password");
    await page.getByLabel("Current password").fill(erinPassword);
    await page.getByLabel(/^New password/).fill(NEW_PASSWORD);
    await page.getByLabel("Repeat the new password").fill(NEW_PASSWORD);
    await page.getByRole("button", { name: "Change password" }).click();
    await page.getByRole("heading", { name: "Dashboard" }).waitFor();
    await audit(page);
    await page.getByRole("link", { name: "Connect an assistant" }).first().click();
    await page.getByRole("heading", { name: "Connect an assistant" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/connect");
    await audit(page);
    expect(await page.locator("#fingerprint").textContent()).toBe(world.gw.server.tls.info.fingerprint256);
    await page.getByLabel(/^Token name/).fill(HOSTILE);
    await page.getByLabel("Expires after").selectOption("30");
    await page.getByRole("button", { name: "Create token and show the configuration" }).click();
    await page.getByText("Copy the token now.").waitFor();
    await noInjectedScript(page);
    expect(await page.getByText(HOSTILE).count()).toBeGreaterThan(0);
    const token = (await page.locator("#new-token").textContent())!;
    const config = JSON.parse((await page.locator("#cfg-claude-desktop").textContent())!);
    expect(config.mcpServers.nexus.args).toContain("sse-only");
    expect(config.mcpServers.nexus.env.NEXUS_AUTH).toBe(`Bearer ${token}`);
    await audit(page);
    const replies = await runClaudeDesktopConfig(config, caFile, [
      {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "claude-ai", version: "0.1" } },
      },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: 2, method: "tools/list" },
    ]);
    expect(replies.get(1)?.result?.serverInfo?.name).toBe("nexus-mcp-gateway");
    expect(replies.get(2)?.result?.tools?.length).toBeGreaterThan(3);
    // A reload does not show the token again.
    await page.reload();
    expect(await page.locator("#new-token").count()).toBe(0);

    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { name: "My tokens" }).waitFor();
    await audit(page);
    await noInjectedScript(page);
    expect(await page.getByText("just now").count()).toBeGreaterThan(0); // last used by mcp-remote
    await page
      .getByRole("button", { name: /^Revoke/ })
      .first()
      .click();
    await page.getByText("The token was revoked").waitFor();

    await page.getByRole("link", { name: "My account" }).first().click();
    await page.getByRole("heading", { name: "My active sessions" }).waitFor();
    expect(await page.getByText("this browser").count()).toBe(1);
    await audit(page);
    await noInjectedScript(page);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByText("You are signed out.").waitFor();
    await context.close();
  }, 120_000);

  test("a cross-site form post from a second origin is refused", async () => {
    const evil = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: () =>
        new Response(
          `<!doctype html><title>evil</title><form id="f" method="post" action="${base}/tokens"><input name="name" value="planted-by-evil"><input name="expiry" value="7"></form><script>document.getElementById("f").submit()</script>`,
          { headers: { "content-type": "text/html" } },
        ),
    });
    try {
      const context = await newContext(browser);
      const page = await open(context);
      await signIn(page, base, "admin", ADMIN_PASSWORD);
      await page.goto(`http://127.0.0.1:${evil.port}/`);
      await page.waitForURL(`${base}/tokens`);
      expect(await page.textContent("body")).toContain("cross-site");
      const rows = await world.gw.db.sql`select 1 from api_tokens where name = 'planted-by-evil'`;
      expect(rows.length).toBe(0);
      await context.close();
    } finally {
      evil.stop(true);
    }
  }, 60_000);

  test("keyboard: skip link first, forms submit with Enter", async () => {
    const context = await newContext(browser);
    const page = await open(context);
    await signIn(page, base, "admin", ADMIN_PASSWORD, "/tokens");
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Enter");
    await page.getByLabel(/^Token name/).focus();
    await page.keyboard.type("keyboard-made");
    await page.keyboard.press("Enter");
    await page.getByText("Copy the token now.").waitFor();
    // Every form control on the pages built here has a label (axe checks it too).
    for (const path of ["/tokens", "/users", "/roles", "/account", "/connect"]) {
      await page.goto(`${base}${path}`);
      const unlabelled = await page.evaluate(() =>
        Array.from(document.querySelectorAll("input:not([type=hidden]):not([hidden]), select, textarea"))
          .filter((el) => !(el as HTMLInputElement).labels?.length && !el.getAttribute("aria-label"))
          .map((el) => (el as HTMLInputElement).name),
      );
      expect(unlabelled).toEqual([]);
    }
    await context.close();
  }, 60_000);

  test("axe-core: no serious or critical violation on any page", async () => {
    const context = await newContext(browser);
    const page = await open(context);
    await signIn(page, base, "admin", ADMIN_PASSWORD);
    for (const path of ["/", "/roles/admin", "/account"]) {
      await page.goto(`${base}${path}`);
      await audit(page);
    }
    await context.close();
    expect(axe).toEqual([]);
    expect(dialogs).toEqual([]);
  }, 60_000);

  test.if(SHOTS !== null)(
    "screenshots of every page",
    async () => {
      const dir = SHOTS!;
      mkdirSync(dir, { recursive: true });
      const shoot = async (context: BrowserContext, path: string, file: string) => {
        const page = await context.newPage();
        await page.goto(`${base}${path}`);
        await page.waitForLoadState("networkidle");
        await page.screenshot({ path: join(dir, `${file}.png`), fullPage: true });
        await page.close();
      };
      const anon = await newContext(browser);
      await shoot(anon, "/login", "sign-in");
      await anon.close();
      const context = await newContext(browser);
      const page = await context.newPage();
      await signIn(page, base, "admin", ADMIN_PASSWORD);
      const links = await page.locator("#nav a").evaluateAll((as) => as.map((a) => a.getAttribute("href")!));
      for (const href of links)
        await shoot(context, href, href === "/" ? "dashboard" : href.slice(1).replace(/\W+/g, "-"));
      await shoot(context, "/users/erin", "user");
      // The token page right after creating one: the token shown once.
      await page.goto(`${base}/connect`);
      await page.getByLabel(/^Token name/).fill("laptop Claude Desktop");
      await page.getByRole("button", { name: "Create token and show the configuration" }).click();
      await page.getByText("Copy the token now.").waitFor();
      await page.screenshot({ path: join(dir, "connect-created.png"), fullPage: true });
      await context.close();
      for (const [opts, suffix] of [
        [{ dark: true }, "dark"],
        [{ width: 800 }, "800px"],
      ] as const) {
        const c = await newContext(browser, opts);
        const p = await c.newPage();
        await signIn(p, base, "admin", ADMIN_PASSWORD);
        await shoot(c, "/", `dashboard-${suffix}`);
        await shoot(c, "/connect", `connect-${suffix}`);
        await c.close();
      }
    },
    180_000,
  );
});
