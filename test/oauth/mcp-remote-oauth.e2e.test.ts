/**
 * mcp-remote 0.15.1 (what Claude Desktop runs) signs in with OAuth against the real gateway, no
 * token copied anywhere: it discovers the metadata, registers itself, prints the authorization
 * URL and listens on loopback; Chromium (the user's browser) opens that URL, signs in and
 * consents; mcp-remote then lists tools and calls one. Also: a denied consent, and a stale pasted
 * token that now leads into the same sign-in instead of "Dynamic Client Registration rejected".
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { revokeApiToken } from "../../app/identity/api-tokens.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { ADMIN_PASSWORD, startMcpWorld } from "../support/mcp-world.ts";

const world = await startMcpWorld();
const browser: Browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
afterAll(async () => {
  await browser.close();
  await world.stop();
});
const caFile = join(mkdtempSync(join(tmpdir(), "nmg-ca-")), "gateway.pem");
writeFileSync(caFile, world.gw.server.tls.cert);

interface Bridge {
  authorizationUrl: Promise<string>;
  send(message: object): void;
  reply(id: number, timeoutMs?: number): Promise<{ result?: any; error?: any } | undefined>;
  stderr(): string;
  exited: Promise<number>;
  stop(): void;
}

function startBridge(url: string, extra: string[] = []): Bridge {
  const proc = Bun.spawn(["node", resolve(import.meta.dir, "../../node_modules/.bin/mcp-remote"), url, ...extra], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_EXTRA_CA_CERTS: caFile,
      MCP_REMOTE_CONFIG_DIR: mkdtempSync(join(tmpdir(), "nmg-mr-")),
      BROWSER: "true",
    },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  const replies = new Map<number, { result?: any; error?: any }>();
  let err = "";
  let resolveUrl: (u: string) => void = () => {};
  const authorizationUrl = new Promise<string>((r) => (resolveUrl = r));
  void (async () => {
    const reader = proc.stderr.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      err += new TextDecoder().decode(value);
      const m = /Please authorize this client by visiting:\s+(\S+)/.exec(err);
      if (m) resolveUrl(m[1]!);
    }
  })();
  void (async () => {
    const reader = proc.stdout.getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += new TextDecoder().decode(value);
      for (let i = buffer.indexOf("\n"); i >= 0; i = buffer.indexOf("\n")) {
        const line = buffer.slice(0, i).trim();
        buffer = buffer.slice(i + 1);
        if (line.startsWith("{")) {
          const msg = JSON.parse(line);
          if (msg.id !== undefined) replies.set(msg.id, msg);
        }
      }
    }
  })();
  return {
    authorizationUrl,
    send: (m) => proc.stdin.write(`${JSON.stringify(m)}\n`),
    async reply(id, timeoutMs = 30_000) {
      for (let t = 0; t < timeoutMs / 100 && !replies.has(id); t++) await Bun.sleep(100);
      return replies.get(id);
    },
    stderr: () => err,
    exited: proc.exited,
    stop: () => proc.kill("SIGTERM"),
  };
}

/** The user's browser: open the URL, sign in, answer the consent page; returns the page's final URL. */
async function signInAndAnswer(url: string, username: string, decision: "Allow" | "Deny"): Promise<string> {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  try {
    await page.goto(url);
    await page.getByLabel("Username").fill(username);
    await page.getByLabel("Password").fill(ADMIN_PASSWORD);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("heading", { name: /^Connect / }).waitFor();
    expect(await page.textContent("main")).toContain("MCP CLI Proxy");
    await page.getByRole("button", { name: decision }).click();
    await page.waitForURL(/^http:\/\/(localhost|127\.0\.0\.1):\d+\//, { timeout: 15_000 });
    await page.waitForLoadState("load");
    return page.url();
  } finally {
    await context.close();
  }
}

const INIT = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "claude-ai", version: "0.1" } },
};

test("mcp-remote signs in through the browser, then lists tools and calls one as that user", async () => {
  const bridge = startBridge(world.mcpUrl);
  try {
    bridge.send(INIT);
    const url = await Promise.race([
      bridge.authorizationUrl,
      Bun.sleep(30_000).then(() => {
        throw new Error(`no authorization URL:\n${bridge.stderr()}`);
      }),
    ]);
    expect(url).toStartWith(
      world.gw.server.ui.url.replace("127.0.0.1", "localhost").replace(/\/$/, "") + "/oauth/authorize?",
    );
    const landed = await signInAndAnswer(url, "vera", "Allow");
    expect(landed).toContain("/oauth/callback");
    const init = await bridge.reply(1, 60_000);
    expect(init?.result?.serverInfo?.name ?? `stderr:\n${bridge.stderr()}`).toBe("nexus-mcp-gateway");
    bridge.send({ jsonrpc: "2.0", method: "notifications/initialized" });
    bridge.send({ jsonrpc: "2.0", id: 2, method: "tools/list" });
    expect((await bridge.reply(2))?.result?.tools?.length).toBeGreaterThan(0);
    bridge.send({
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "list_switches", arguments: { fields: ["hostname"], limit: 2 } },
    });
    expect((await bridge.reply(3))?.result?.content?.[0]?.text).toContain("switches: 1–2 of 40");
    const [row] = await world.gw.db.sql<{ username: string; token_name: string | null }[]>`
      select username, token_name from audit_events where action = 'mcp.call' order by id desc limit 1`;
    expect(row).toMatchObject({ username: "vera" });
    expect(row?.token_name ?? "").toBe("MCP CLI Proxy");
  } finally {
    bridge.stop();
  }
}, 120_000);

test("a denied consent gives mcp-remote a clear error and no access", async () => {
  const bridge = startBridge(world.mcpUrl, ["--auth-timeout", "20"]);
  try {
    bridge.send(INIT);
    const url = await Promise.race([
      bridge.authorizationUrl,
      Bun.sleep(30_000).then(() => {
        throw new Error(`no authorization URL:\n${bridge.stderr()}`);
      }),
    ]);
    await signInAndAnswer(url, "vera", "Deny");
    await Promise.race([bridge.exited, Bun.sleep(25_000)]);
    expect(bridge.stderr()).toMatch(/access_denied|declined/);
    expect((await bridge.reply(1, 1000))?.result).toBeUndefined();
  } finally {
    bridge.stop();
  }
}, 90_000);

test("a revoked pasted token now leads mcp-remote into the OAuth sign-in instead of a registration 404", async () => {
  const [token] = await world.gw.db.sql<
    { id: string }[]
  >`select t.id from api_tokens t join users u on u.id = t.user_id where u.username = 'olga'`;
  await revokeApiToken(world.gw.db.sql, cliCaller("cli"), token!.id);
  const bridge = startBridge(world.mcpUrl, ["--header", `Authorization: Bearer ${world.tokens.olga}`]);
  try {
    bridge.send(INIT);
    const url = await Promise.race([bridge.authorizationUrl, Bun.sleep(30_000).then(() => "")]);
    expect(bridge.stderr()).not.toContain("Dynamic Client Registration rejected");
    expect(url).toContain("/oauth/authorize?");
    expect(new URL(url).searchParams.get("code_challenge_method")).toBe("S256");
  } finally {
    bridge.stop();
  }
}, 60_000);
