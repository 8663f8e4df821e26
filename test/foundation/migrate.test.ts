import { afterAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, appendFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { migrate, readMigrations, SQL_DIR } from "../../app/migrate.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";

const open: TestDatabase[] = [];
afterAll(() => Promise.all(open.map((d) => d.close())));

async function emptyDb() {
  const db = await freshDatabase({ migrated: false });
  open.push(db);
  return db;
}

function copyOfSqlDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "nmg-sql-"));
  cpSync(SQL_DIR, dir, { recursive: true });
  return dir;
}

describe("migrations", () => {
  test("a fresh database gets every file, in order, with checksums recorded", async () => {
    const db = await emptyDb();
    const result = await migrate(db.sql);
    const files = readMigrations();
    expect(result.applied).toEqual(files.map((f) => f.file));
    const rows = await db.sql<
      { version: number; checksum: string }[]
    >`select version, checksum from schema_migrations order by version`;
    expect(rows.map((r) => r.checksum)).toEqual(files.map((f) => f.checksum));
    expect((await migrate(db.sql)).applied).toEqual([]);
  });

  test("a changed applied file stops the start and says what to do", async () => {
    const db = await emptyDb();
    const dir = copyOfSqlDir();
    await migrate(db.sql, dir);
    appendFileSync(join(dir, "0001_foundation.sql"), "\n-- edited later\n");
    await expect(migrate(db.sql, dir)).rejects.toThrow(
      "0001_foundation.sql changed after it was applied; restore the original file and add a new migration instead",
    );
  });

  test("a gap in numbering is refused before anything runs", async () => {
    const db = await emptyDb();
    const dir = copyOfSqlDir();
    writeFileSync(join(dir, "0099_later.sql"), "create table never_created (id int);");
    await expect(migrate(db.sql, dir)).rejects.toThrow("gap or duplicate at 0099_later.sql");
    const [row] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from pg_tables where tablename = 'never_created'`;
    expect(row!.n).toBe(0);
  });

  test("a failing migration rolls back completely", async () => {
    const db = await emptyDb();
    const dir = copyOfSqlDir();
    const next = String(readMigrations(dir).length + 1).padStart(4, "0");
    writeFileSync(join(dir, `${next}_broken.sql`), "create table half_done (id int);\nselect * from no_such_table;");
    await expect(migrate(db.sql, dir)).rejects.toThrow();
    const [row] = await db.sql<
      { n: number }[]
    >`select count(*)::int as n from pg_tables where tablename in ('half_done', 'schema_migrations')`;
    expect(row!.n).toBe(0);
  });

  test("two processes starting at once apply each file exactly once", async () => {
    const db = await emptyDb();
    const script = resolve(import.meta.dir, "../../app/cli.ts");
    const run = () =>
      Bun.spawn(["bun", script, "migrate"], {
        env: { ...process.env, DATABASE_URL: db.url },
        stdout: "pipe",
        stderr: "pipe",
      });
    const [a, b] = [run(), run()];
    const codes = await Promise.all([a.exited, b.exited]);
    expect(codes).toEqual([0, 0]);
    const outputs = await Promise.all([new Response(a.stdout).text(), new Response(b.stdout).text()]);
    expect(outputs.filter((o) => o.startsWith("applied")).length).toBe(1);
    expect(outputs.filter((o) => o.startsWith("database is up to date")).length).toBe(1);
    const [row] = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
    expect(row!.n).toBe(readMigrations().length);
  });
});

describe("MIGRATE_ON_START=false (the appliance's gateway role cannot run DDL)", () => {
  test("a current schema passes the check; a missing or pending one stops the start with the fix", async () => {
    const { assertMigrated } = await import("../../app/migrate.ts");
    const db = await emptyDb();
    await expect(assertMigrated(db.sql)).rejects.toThrow("run `bun run migrate` as the database owner");
    const dir = copyOfSqlDir();
    await migrate(db.sql, dir);
    expect(await assertMigrated(db.sql, dir)).toBe(readMigrations(dir).length);
    const next = String(readMigrations(dir).length + 1).padStart(4, "0");
    writeFileSync(join(dir, `${next}_later.sql`), "select 1;");
    await expect(assertMigrated(db.sql, dir)).rejects.toThrow(`1 migration(s) pending (${next}_later.sql …)`);
  });
});
