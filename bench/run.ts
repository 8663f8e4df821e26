/**
 * `bun run bench`: every benchmark in turn, each in its own process (so one's PostgreSQL,
 * simulator and gateway never overlap another's), then REPORT.md from their results. A
 * benchmark that misses a target still counts as run — this is a report, not a test; only a
 * crash (or an integrity failure such as an unaudited call) makes the run fail.
 */
import { join } from "node:path";
import { writeReport } from "./report.ts";

const BENCHES: { file: string; args?: string[] }[] = [
  { file: "tools-list.bench.ts" },
  { file: "read-tasks.bench.ts" },
  { file: "gateway-overhead.bench.ts" },
  { file: "call-parts.bench.ts" },
  { file: "gateway-profile.bench.ts" },
  { file: "audit-insert.bench.ts", args: ["--phase-ms", "5000"] },
];

const started = performance.now();
const failed: string[] = [];
for (const b of BENCHES) {
  console.log(`\n=== ${b.file} ${(b.args ?? []).join(" ")}`);
  const t0 = performance.now();
  const child = Bun.spawn(["bun", join(import.meta.dir, b.file), ...(b.args ?? [])], {
    stdout: "inherit",
    stderr: "inherit",
  });
  const code = await child.exited;
  console.log(
    `=== ${b.file}: ${code === 0 ? "done" : `FAILED (exit ${code})`} in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
  );
  if (code !== 0) failed.push(b.file);
}
const path = writeReport();
console.log(
  `\nwrote ${path}; whole run ${((performance.now() - started) / 1000).toFixed(0)} s${failed.length ? `; FAILED: ${failed.join(", ")}` : ""}`,
);
process.exit(failed.length ? 1 : 0);
