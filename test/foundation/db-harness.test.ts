import { afterAll, expect, test } from "bun:test";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

test("each test file gets its own migrated database on real PostgreSQL", async () => {
  const [row] = await db.sql<{ v: string }[]>`select current_setting('server_version_num') as v`;
  expect(Number(row!.v)).toBeGreaterThanOrEqual(150000);
  const tables = await db.sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
  expect(tables[0]!.n).toBeGreaterThan(0);
});
