/**
 * Child processes of a benchmark: the simulator, the gateway and the peer each run in their own
 * process (as in production), so the load generator's JavaScript does not share an event loop
 * with the server it measures. Output goes to a log file (shown when a start fails); a child is
 * stopped by its own pid only.
 */
import type { Subprocess } from "bun";
import { existsSync, readFileSync } from "node:fs";

export interface Child {
  name: string;
  pid: number;
  logPath: string;
  stop(): Promise<void>;
}

export function spawnChild(
  name: string,
  cmd: string[],
  opts: { env?: Record<string, string>; logPath: string; cwd?: string },
): { child: Child; proc: Subprocess } {
  const log = Bun.file(opts.logPath);
  const proc = Bun.spawn(cmd, {
    env: { ...process.env, ...opts.env },
    stdout: log,
    stderr: log,
    stdin: "ignore",
    cwd: opts.cwd,
  });
  const child: Child = {
    name,
    pid: proc.pid,
    logPath: opts.logPath,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
  return { child, proc };
}

/** Polls `ready()` until it answers true; fails with the child's log when it exits or times out. */
export async function waitUntil(
  child: Child,
  proc: Subprocess,
  ready: () => Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (proc.exitCode !== null) throw new Error(`${child.name} exited with ${proc.exitCode}:\n${tail(child.logPath)}`);
    if (await ready().catch(() => false)) return;
    await Bun.sleep(50);
  }
  await child.stop();
  throw new Error(`${child.name} did not become ready in ${timeoutMs} ms:\n${tail(child.logPath)}`);
}

export function tail(path: string, lines = 30): string {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
}
