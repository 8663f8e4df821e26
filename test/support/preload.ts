/**
 * Test preload (bunfig.toml): makes plain `bun test test/some.test.ts` work like `bun run test`,
 * and keeps key material from outliving the run.
 *
 *  - Every temporary folder of the run (keyrings, key-encryption keys, certificates, data dirs)
 *    goes under one private folder: TMPDIR points there for this process and its children, and
 *    the folder is removed when the run ends — also when tests fail.
 *  - Without NMG_TEST_PG_URL (set by `bun run test`), a throwaway PostgreSQL cluster is started
 *    and a migrated template database created, as scripts/test.ts does; it stops at the end.
 */
import { afterAll } from "bun:test";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const runDir = mkdtempSync(join(tmpdir(), "nmg-run-"));
// Traversable (not listable) by others: the test PostgreSQL runs as the postgres user when we are root.
chmodSync(runDir, 0o711);
process.env.TMPDIR = runDir;
const cleanup = () => rmSync(runDir, { recursive: true, force: true });
process.on("exit", cleanup);

let stopCluster: (() => Promise<void>) | undefined;
if (!process.env.NMG_TEST_PG_URL) {
  const { startPgCluster } = await import("../../scripts/pg-cluster.ts");
  const { connect } = await import("../../app/db.ts");
  const { migrate } = await import("../../app/migrate.ts");
  const cluster = await startPgCluster();
  stopCluster = () => cluster.stop();
  const template = "nmg_template";
  const admin = connect(cluster.url("postgres"), { max: 1 });
  await admin`create database ${admin(template)}`;
  await admin.end();
  const tpl = connect(cluster.url(template), { max: 1 });
  await migrate(tpl);
  await tpl.end();
  process.env.NMG_TEST_PG_URL = cluster.url("postgres");
  process.env.NMG_TEST_PG_TEMPLATE = template;
}

afterAll(async () => {
  await stopCluster?.();
  cleanup();
});
