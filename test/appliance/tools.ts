/**
 * Helpers of the appliance's offline checks: run a command, know whether a tool exists, and stage
 * the appliance's files into a throwaway root with the same installer the image build uses
 * (appliance/build/install-files.sh), so the tests check exactly what the image contains.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
export const APPLIANCE = join(REPO, "appliance");

export interface Run {
  code: number;
  out: string;
  err: string;
}

export function run(cmd: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}): Run {
  const p = Bun.spawnSync(cmd, {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, ...opts.env },
    stdin: opts.input === undefined ? "ignore" : Buffer.from(opts.input),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, out: p.stdout.toString(), err: p.stderr.toString() };
}

export function has(tool: string): boolean {
  return Bun.which(tool) !== null;
}

/** Tools that are missing, for a test's skip message. */
export function missing(...tools: string[]): string[] {
  return tools.filter((t) => !has(t));
}

export function skipMessage(what: string, tools: string[]): string {
  return `${what}: skipped, missing ${tools.join(", ")} (apt-get install the packages named in docs/appliance.md)`;
}

/** A throwaway root with the appliance's files installed at their image paths. */
export function stagedRoot(): { root: string; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), "nexus-appliance-"));
  const r = run(["bash", join(APPLIANCE, "build/install-files.sh"), root]);
  if (r.code !== 0) throw new Error(`install-files.sh failed: ${r.err}`);
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
