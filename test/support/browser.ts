/**
 * A real Chromium (Debian's /usr/bin/chromium through playwright-core) for UI tests, with the
 * helpers they share: sign in, an axe-core audit that returns serious and critical violations,
 * a guard that fails on any JavaScript dialog other than a confirm (an injected alert() would be
 * one), and the mcp-remote bridge run from a pasted Claude Desktop configuration.
 */
import AxeBuilder from "@axe-core/playwright";
import { existsSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export function haveChromium(): boolean {
  return existsSync(CHROMIUM);
}

export async function launchBrowser(): Promise<Browser> {
  if (!haveChromium())
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox", "--disable-dev-shm-usage"] });
}

export interface ContextOptions {
  width?: number;
  dark?: boolean;
}

/** A fresh browser profile (its own cookies) that accepts the gateway's self-signed certificate. */
export async function newContext(browser: Browser, o: ContextOptions = {}): Promise<BrowserContext> {
  return browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width: o.width ?? 1280, height: 800 },
    colorScheme: o.dark ? "dark" : "light",
    permissions: [],
  });
}

/** Fails the test on alert()/prompt() (what injected script would show); accepts confirms. */
export function guardDialogs(page: Page, seen: string[]): void {
  page.on("dialog", async (d) => {
    if (d.type() === "confirm") return d.accept();
    seen.push(`${d.type()}: ${d.message()}`);
    await d.dismiss();
  });
}

export async function signIn(page: Page, base: string, username: string, password: string, path = "/"): Promise<void> {
  await page.goto(`${base}${path}`);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState("networkidle");
}

/** Serious and critical axe violations of the page as it is now, as readable lines. */
export async function axeProblems(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map(
      (v) =>
        `${new URL(page.url()).pathname}: ${v.id} (${v.impact}) ${v.help} — ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(" "))
          .join(" | ")}`,
    );
}

/**
 * Runs the `mcpServers.nexus` entry of a Claude Desktop config as Claude Desktop would, except
 * that `npx -y mcp-remote@V` is the pinned local copy; sends JSON-RPC lines, returns replies by id.
 */
export async function runClaudeDesktopConfig(
  config: any,
  caFile: string,
  messages: object[],
): Promise<Map<number, any>> {
  const entry = config.mcpServers.nexus;
  const args: string[] = entry.args.filter((a: string) => a !== "-y" && !a.startsWith("mcp-remote@"));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    MCP_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "nmg-mr-")),
  };
  for (const [k, v] of Object.entries(entry.env as Record<string, string>))
    env[k] = k === "NODE_EXTRA_CA_CERTS" ? caFile : v;
  const proc = Bun.spawn(["node", resolve(import.meta.dir, "../../node_modules/.bin/mcp-remote"), ...args], {
    env,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const replies = new Map<number, any>();
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
