/**
 * The embedded engine (PGlite) has exactly one owner process. Through the real entry points
 * (`app/main.ts`, `app/cli.ts` as subprocesses): a second gateway on the same DATA_DIR is refused
 * with the owner's PID; the CLI works against the running gateway (token created and revoked
 * while it runs), the revocation is refused on the very next MCP call, and both it and its audit
 * row survive a restart; with no DATA_DIR the CLI finds the demo's data and says so.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { cliEnv } from "../../app/cli.ts";
import { freePort } from "../support/ports.ts";

const dataDir = mkdtempSync(join(tmpdir(), "nmg-owner-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const root = resolve(import.meta.dir, "../..");
const baseEnv = {
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  DATA_DIR: dataDir,
  BIND_ADDRESS: "127.0.0.1",
  ADMIN_PASSWORD: "correct-Horse-battery-9",
};

async function boot(api: number) {
  const ui = await freePort();
  const proc = Bun.spawn(["bun", join(root, "app/main.ts")], {
    env: { ...baseEnv, UI_PORT: String(ui), API_PORT: String(api), LOG_LEVEL: "info" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + 90_000;
  while (!text.includes('"msg":"listening"') && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  if (!text.includes('"msg":"listening"'))
    throw new Error(`gateway did not start: ${text}${await new Response(proc.stderr).text()}`);
  void proc.stdout.pipeTo(new WritableStream()).catch(() => {});
  return proc;
}

function cli(args: string[], env: Record<string, string | undefined> = baseEnv) {
  const r = Bun.spawnSync(["bun", join(root, "app/cli.ts"), ...args], { env, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() };
}

async function mcpStatus(api: number, token: string): Promise<number> {
  const ca = readFileSync(join(dataDir, "tls", "server.crt"), "utf8");
  const res = await fetch(`https://localhost:${api}/mcp`, {
    method: "POST",
    tls: { ca },
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "list_clusters", arguments: {} },
    }),
  } as RequestInit);
  await res.text();
  return res.status;
}

test("one owner per embedded DATA_DIR; the CLI revokes through the running gateway; the revocation survives a restart", async () => {
  const api = await freePort();
  const first = await boot(api);
  try {
    // A second gateway on the same directory: one line naming the owner and what to do.
    const second = Bun.spawnSync(["bun", join(root, "app/main.ts")], {
      env: { ...baseEnv, UI_PORT: String(await freePort()), API_PORT: String(await freePort()), LOG_LEVEL: "silent" },
      stderr: "pipe",
    });
    expect(second.exitCode).not.toBe(0);
    const message = second.stderr.toString().trim();
    expect(message).toContain(`in use by process ${first.pid}`);
    expect(message).toContain("stop that gateway first");
    expect(message.split("\n")).toHaveLength(1);

    const created = cli(["token", "create", "--user", "admin", "--name", "laptop"]);
    expect(created.code).toBe(0);
    expect(created.err).toContain(`served by the running gateway (pid ${first.pid})`);
    const token = /token \(shown once\): (\S+)/.exec(created.out)![1]!;
    const id = /created token (\S+)/.exec(created.out)![1]!;
    expect(await mcpStatus(api, token)).toBe(200);

    const revoked = cli(["token", "revoke", id]);
    expect(revoked.code).toBe(0);
    expect(await mcpStatus(api, token)).toBe(401);
  } finally {
    first.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  }

  const again = await boot(api);
  try {
    const tokenLine = cli(["token", "list", "--user", "admin"]);
    expect(tokenLine.out).toMatch(/laptop\trevoked/);
    const audit = cli(["audit", "export", "--format", "jsonl", "--action", "token."]);
    const actions = audit.out
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).action);
    expect(actions).toEqual(expect.arrayContaining(["token.create", "token.revoke"]));
    expect(cli(["audit", "verify"]).out).toContain("audit chain ok");
  } finally {
    again.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  }
}, 240_000);

test("with no DATA_DIR the CLI uses the demo's data when ./data has none, and never when a location is given", () => {
  const demo = mkdtempSync(join(tmpdir(), "nmg-demo-"));
  try {
    expect(cliEnv({}, demo).DATA_DIR).toBeUndefined();
    mkdirSync(join(demo, "pglite"));
    expect(cliEnv({}, demo).DATA_DIR).toBe(demo);
    expect(cliEnv({ DATA_DIR: "/elsewhere" }, demo).DATA_DIR).toBe("/elsewhere");
    expect(cliEnv({ DATABASE_URL: "postgres://x/y" }, demo).DATA_DIR).toBeUndefined();
  } finally {
    rmSync(demo, { recursive: true, force: true });
  }
});
