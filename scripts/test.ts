/**
 * `bun run test`: the whole suite on a real, throwaway PostgreSQL cluster.
 * Starts the cluster, migrates a template database (each test file clones its own database from
 * it), runs `bun test`, stops the cluster (also on failure or Ctrl-C) and ends with the plain
 * line `N passed, N failed`. Extra arguments go to `bun test` (e.g. a path filter).
 */
import { readdirSync } from "node:fs";
import { connect } from "../app/db.ts";
import { migrate } from "../app/migrate.ts";
import { startPgCluster } from "./pg-cluster.ts";

const TEMPLATE = "nmg_template";

const cluster = await startPgCluster();
let exitCode = 1;
const stop = async () => {
  await cluster.stop();
};
process.on("SIGINT", async () => {
  await stop();
  process.exit(130);
});

try {
  const admin = connect(cluster.url("postgres"), { max: 1 });
  await admin`create database ${admin(TEMPLATE)}`;
  await admin.end();
  const tpl = connect(cluster.url(TEMPLATE), { max: 1 });
  await migrate(tpl);
  await tpl.end();

  // The reliability cases (database restarts, kill -9, SIGTERM under load) take minutes; they
  // run with `bun run test:reliability` (CI runs both), not in the default run.
  const args = process.argv.slice(2);
  const everything = readdirSync("test", { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== "reliability")
    .map((d) => `test/${d.name}/`);
  const child = Bun.spawn(["bun", "test", "--timeout", "60000", ...(args.length ? args : everything)], {
    env: { ...process.env, NMG_TEST_PG_URL: cluster.url("postgres"), NMG_TEST_PG_TEMPLATE: TEMPLATE },
    stdout: "inherit",
    stderr: "pipe",
  });
  // bun test reports on stderr; pass it through and keep it to read the totals.
  let report = "";
  const decoder = new TextDecoder();
  const reader = child.stderr.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    const text = decoder.decode(chunk.value, { stream: true });
    report += text;
    process.stderr.write(text);
  }
  const code = await child.exited;
  const passed = Number(/^\s*(\d+) pass/m.exec(report)?.[1] ?? 0);
  const failed = Number(/^\s*(\d+) fail/m.exec(report)?.[1] ?? 0);
  const errors = Number(/^\s*(\d+) errors?/m.exec(report)?.[1] ?? 0);
  exitCode = code === 0 && failed === 0 && errors === 0 && passed > 0 ? 0 : 1;
  console.log(`${passed} passed, ${failed + errors} failed`);
} catch (err) {
  console.error(`test run failed: ${(err as Error).message}`);
  console.log("0 passed, 1 failed");
} finally {
  await stop();
}
process.exit(exitCode);
