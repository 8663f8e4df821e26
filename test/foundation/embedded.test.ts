/**
 * Smoke test of the path `bun run demo` takes: the real entry point, no DATABASE_URL (embedded
 * engine), a generated certificate, both listeners, a restart that reuses the certificate and
 * the data, and a clean exit on SIGTERM.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../support/ports.ts";

const dataDir = mkdtempSync(join(tmpdir(), "nmg-embedded-"));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function boot() {
  const [ui, api] = [await freePort(), await freePort()];
  const proc = Bun.spawn(["bun", resolve(import.meta.dir, "../../app/main.ts")], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      DATA_DIR: dataDir,
      UI_PORT: String(ui),
      API_PORT: String(api),
      BIND_ADDRESS: "127.0.0.1",
      LOG_LEVEL: "info",
    },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines: string[] = [];
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const deadline = Date.now() + 90_000;
  while (!lines.some((l) => l.includes('"msg":"listening"')) && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    lines.push(...parts);
  }
  reader.releaseLock();
  return { proc, lines, ui, api };
}

test("the embedded engine boots end to end, serves both listeners, restarts with the same certificate", async () => {
  const first = await boot();
  expect(first.lines.join("\n")).toContain("using the embedded database engine (PGlite)");
  const ca = readFileSync(join(dataDir, "tls", "server.crt"), "utf8");
  for (const port of [first.ui, first.api]) {
    const res = await fetch(`https://127.0.0.1:${port}/healthz`, { tls: { ca } } as RequestInit);
    expect((await res.json()).database).toEqual({ reachable: true, engine: "embedded" });
  }
  const fingerprint = JSON.parse(first.lines.find((l) => l.includes('"msg":"listening"'))!).certificate;
  first.proc.kill("SIGTERM");
  expect(await first.proc.exited).toBe(0);

  const second = await boot();
  const listening = JSON.parse(second.lines.find((l) => l.includes('"msg":"listening"'))!);
  expect(listening.certificate).toBe(fingerprint);
  expect(second.lines.join("\n")).not.toContain("applied migrations");
  const res = await fetch(`https://127.0.0.1:${second.api}/healthz`, { tls: { ca } } as RequestInit);
  expect(res.status).toBe(200);
  second.proc.kill("SIGTERM");
  expect(await second.proc.exited).toBe(0);
}, 180_000);
