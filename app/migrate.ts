/**
 * Forward-only migrations from `sql/NNNN_name.sql`.
 *
 * Guarantees: one transaction under a transaction-level advisory lock (two nodes starting at
 * once apply each file exactly once); the SHA-256 of every applied file is recorded; the runner
 * refuses to proceed when an applied file changed, was removed, or the numbering has a gap.
 */
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Sql } from "postgres";
import { StartupError } from "./errors.ts";

export const SQL_DIR = resolve(import.meta.dir, "../sql");
const FILE = /^(\d{4})_([a-z0-9_]+)\.sql$/;
/** Arbitrary constant naming our lock: "nmg-migrate" as digits. */
const LOCK_ID = 7_463_001;

export interface Migration {
  version: number;
  name: string;
  file: string;
  checksum: string;
  text: string;
}

export function readMigrations(dir = SQL_DIR): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  const migrations = files.map((file) => {
    const m = FILE.exec(file);
    if (!m) throw new StartupError(`migration file ${file} is misnamed; use NNNN_lower_snake.sql`);
    const text = readFileSync(join(dir, file), "utf8");
    return { version: Number(m[1]), name: m[2]!, file, checksum: sha256(text), text };
  });
  migrations.forEach((mig, i) => {
    if (mig.version !== i + 1) {
      throw new StartupError(
        `migration numbering has a gap or duplicate at ${mig.file} (expected ${String(i + 1).padStart(4, "0")}); renumber the new file`,
      );
    }
  });
  return migrations;
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

export interface MigrateResult {
  applied: string[];
  current: number;
}

export async function migrate(sql: Sql, dir = SQL_DIR): Promise<MigrateResult> {
  const migrations = readMigrations(dir);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${LOCK_ID})`;
    await tx`create table if not exists schema_migrations (
      version int primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now())`;
    const rows = await tx<{ version: number; name: string; checksum: string }[]>`
      select version, name, checksum from schema_migrations order by version`;
    verifyApplied(rows, migrations);
    const pending = migrations.filter((m) => m.version > rows.length);
    for (const m of pending) {
      // The runner is the one place that executes raw SQL text: the files are ours, not input.
      await tx.unsafe(m.text).simple();
      await tx`insert into schema_migrations (version, name, checksum)
               values (${m.version}, ${m.name}, ${m.checksum})`;
    }
    return { applied: pending.map((m) => m.file), current: migrations.length };
  });
}

/**
 * Checks without changing anything (no DDL, no lock): every file applied and unchanged. For a
 * gateway whose database role may not create objects; the owner runs `bun run migrate`.
 */
export async function assertMigrated(sql: Sql, dir = SQL_DIR): Promise<number> {
  const migrations = readMigrations(dir);
  const [exists] = await sql<{ t: string | null }[]>`select to_regclass('schema_migrations')::text as t`;
  if (!exists?.t) throw new StartupError("the database has no schema yet; run `bun run migrate` as the database owner");
  const rows = await sql<{ version: number; name: string; checksum: string }[]>`
    select version, name, checksum from schema_migrations order by version`;
  verifyApplied(rows, migrations);
  if (rows.length < migrations.length) {
    throw new StartupError(
      `${migrations.length - rows.length} migration(s) pending (${migrations[rows.length]!.file} …); run \`bun run migrate\` as the database owner`,
    );
  }
  return rows.length;
}

function verifyApplied(rows: { version: number; name: string; checksum: string }[], files: Migration[]): void {
  rows.forEach((row, i) => {
    if (row.version !== i + 1)
      throw new StartupError(
        `schema_migrations has a gap before version ${row.version}; the database was changed by hand`,
      );
    const file = files[i];
    const label = `${String(row.version).padStart(4, "0")}_${row.name}.sql`;
    if (!file)
      throw new StartupError(
        `migration ${label} is applied but its file is missing; this build is older than the database`,
      );
    if (file.checksum !== row.checksum) {
      throw new StartupError(
        `migration ${file.file} changed after it was applied; restore the original file and add a new migration instead`,
      );
    }
  });
}
