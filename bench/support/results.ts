/** bench/results/<name>.json: one file per benchmark, overwritten by each run (git-ignored). */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";

export const RESULTS_DIR = resolve(import.meta.dir, "..", "results");

/** The machine, and how busy it was (other work on a shared 2-core machine skews timings). */
export function machine(): { cpus: number; cpu: string; bun: string; loadAverage1m: number } {
  return { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", bun: Bun.version, loadAverage1m: loadavg()[0]! };
}

export function writeResult(name: string, data: Record<string, unknown>): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.json`);
  writeFileSync(
    path,
    `${JSON.stringify({ bench: name, at: new Date().toISOString(), machine: machine(), ...data }, null, 2)}\n`,
  );
  console.log(`wrote ${path}`);
  return path;
}

export function readResult<T>(name: string): T | null {
  const path = join(RESULTS_DIR, `${name}.json`);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as T) : null;
}
