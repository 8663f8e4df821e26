/**
 * The real gateway as a child process (`bun app/main.ts`) on a given database: a second node
 * beside an in-process one, or a process a test may kill -9. Stopped by its own pid only.
 */
import type { Subprocess } from "bun";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

const REPO = join(import.meta.dir, "..", "..");

export interface GatewayProcess {
  pid: number;
  proc: Subprocess;
  base: string;
  mcpUrl: string;
  ca: string;
  logPath: string;
  log(): string;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
  kill9(): Promise<void>;
}

export async function startGatewayProcess(
  databaseUrl: string,
  env: Record<string, string> = {},
): Promise<GatewayProcess> {
  const dir = mkdtempSync(join(tmpdir(), "nmg-node-"));
  const dataDir = join(dir, "data");
  const logPath = join(dir, "gateway.log");
  const apiPort = await freePort();
  const proc = Bun.spawn(["bun", join(REPO, "app/main.ts")], {
    cwd: REPO,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      DATA_DIR: dataDir,
      UI_PORT: String(await freePort()),
      API_PORT: String(apiPort),
      BIND_ADDRESS: "127.0.0.1",
      TLS_SANS: "localhost,127.0.0.1",
      LOG_LEVEL: "info",
      SHUTDOWN_GRACE: "2s",
      CLUSTER_ALLOW_LOOPBACK: "true",
      MCP_RATE_PER_SEC: "100000",
      MCP_RATE_BURST: "100000",
      ...env,
    },
    stdout: Bun.file(logPath),
    stderr: Bun.file(logPath),
    stdin: "ignore",
  });
  const log = () => (existsSync(logPath) ? readFileSync(logPath, "utf8") : "");
  const certPath = join(dataDir, "tls", "server.crt");
  const base = `https://localhost:${apiPort}`;
  const end = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode}:\n${log().slice(-3000)}`);
    if (Date.now() > end) {
      proc.kill("SIGKILL");
      throw new Error(`gateway did not become ready:\n${log().slice(-3000)}`);
    }
    if (existsSync(certPath)) {
      const ok = await fetch(`${base}/healthz`, { tls: { ca: readFileSync(certPath, "utf8") } } as RequestInit).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
    }
    await Bun.sleep(50);
  }
  const ca = readFileSync(certPath, "utf8");
  return {
    pid: proc.pid,
    proc,
    base,
    mcpUrl: `${base}/mcp`,
    ca,
    logPath,
    log,
    fetch: (path, init = {}) => fetch(`${base}${path}`, { ...init, tls: { ca } } as RequestInit),
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(timer);
    },
    async kill9() {
      proc.kill("SIGKILL");
      await proc.exited;
    },
  };
}

/** One stateless Streamable HTTP tools/call; the HTTP status and the JSON-RPC answer. */
export async function toolCall(
  mcpUrl: string,
  ca: string,
  token: string,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ status: number; text: string; isError: boolean }> {
  const res = await fetch(mcpUrl, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name, arguments: args } }),
    tls: { ca },
  } as RequestInit);
  const body = await res.text();
  if (!res.ok) return { status: res.status, text: body, isError: true };
  const data =
    body
      .split("\n")
      .filter((l) => l.startsWith("data: "))
      .map((l) => JSON.parse(l.slice(6)))[0] ?? JSON.parse(body);
  const content = (data.result?.content ?? []) as { text?: string }[];
  return {
    status: res.status,
    text: data.error?.message ?? content.map((c) => c.text ?? "").join("\n"),
    isError: Boolean(data.error) || data.result?.isError === true,
  };
}

/** A metric's value from a /metrics text (the first sample whose name and labels start so). */
export function metricValue(text: string, sample: string): number | null {
  const line = text.split("\n").find((l) => l.startsWith(sample));
  return line ? Number(line.slice(line.lastIndexOf(" ") + 1)) : null;
}
