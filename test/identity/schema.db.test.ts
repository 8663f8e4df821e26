import { afterAll, expect, test } from "bun:test";
import { SYSTEM_ROLES } from "../../app/identity/permissions.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

test("the seeded system roles mirror SYSTEM_ROLES exactly", async () => {
  const rows = await db.sql<
    { name: string; permissions: string[] }[]
  >`select name, permissions from roles where system order by name`;
  expect(rows.map((r) => r.name)).toEqual(["admin", "operator", "viewer"]);
  for (const r of rows)
    expect([...r.permissions].sort()).toEqual([...SYSTEM_ROLES[r.name as keyof typeof SYSTEM_ROLES]].sort());
});

test("usernames are unique regardless of case in the database itself", async () => {
  await db.sql`insert into users (username, password_hash) values ('Alice', 'x')`;
  await expect(db.sql`insert into users (username, password_hash) values ('aLICE', 'x')`).rejects.toThrow();
});

test("a service user can never hold a password hash", async () => {
  await expect(
    db.sql`insert into users (username, kind, password_hash) values ('svc', 'service', 'x')`,
  ).rejects.toThrow();
});
