import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Invalid } from "../../app/errors.ts";
import { ensureFirstAdmin, INITIAL_PASSWORD_FILE } from "../../app/identity/first-admin.ts";
import { login } from "../../app/identity/login.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import { ensureServiceUser } from "../../app/identity/service-user.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { auditRows, fastHasher, loginDeps } from "./helpers.ts";

const dirs: string[] = [];
const dbs: TestDatabase[] = [];
afterAll(async () => {
  for (const d of dbs) await d.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function setup() {
  const db = await freshDatabase();
  dbs.push(db);
  const dataDir = join(mkdtempSync(join(tmpdir(), "nmg-admin-")), "data");
  dirs.push(dataDir);
  return { sql: db.sql, dataDir };
}

test("with no user: a generated password, printed once, written 0600, must be changed", async () => {
  const { sql, dataDir } = await setup();
  // A service user (legacy token) does not count as "a user exists".
  await ensureServiceUser(sql, "mcp-service");
  const r = await ensureFirstAdmin(sql, { dataDir, passwords: fastHasher });
  expect(r).toMatchObject({ created: true, username: "admin" });
  expect(r.generatedPassword).toHaveLength(20);
  const file = join(dataDir, INITIAL_PASSWORD_FILE);
  expect(r.passwordFile).toBe(file);
  expect(readFileSync(file, "utf8")).toBe(`${r.generatedPassword}\n`);
  expect(statSync(file).mode & 0o777).toBe(0o600);
  const s = await login(sql, { username: "admin", password: r.generatedPassword!, clientIp: "127.0.0.1" }, loginDeps());
  expect(s.mustChangePassword).toBe(true);
  const p = (await loadPrincipal(sql, s.principal.userId, "session"))!;
  expect(p.roles).toEqual(["admin"]);
  expect(p.clusterAccess).toBe("all");
  const [audit] = await auditRows(sql, "user.create").then((rows) =>
    rows.filter((x) => x.details.username === "admin"),
  );
  expect(JSON.stringify(audit)).not.toContain(r.generatedPassword!);
  // Second start: nothing happens.
  expect(await ensureFirstAdmin(sql, { dataDir, passwords: fastHasher })).toEqual({
    created: false,
    username: "admin",
  });
});

test("a given password (ADMIN_PASSWORD) is used as is, checked by the policy, no file written", async () => {
  const { sql, dataDir } = await setup();
  await expect(ensureFirstAdmin(sql, { dataDir, password: "admin123", passwords: fastHasher })).rejects.toThrow(
    Invalid,
  );
  const r = await ensureFirstAdmin(sql, { dataDir, password: "the chosen admin passphrase", passwords: fastHasher });
  expect(r).toEqual({ created: true, username: "admin" });
  expect(() => statSync(join(dataDir, INITIAL_PASSWORD_FILE))).toThrow();
  const s = await login(sql, { username: "admin", password: "the chosen admin passphrase" }, loginDeps());
  expect(s.mustChangePassword).toBe(false);
});

test("several nodes starting at once create exactly one admin", async () => {
  const { sql, dataDir } = await setup();
  const results = await Promise.all(
    Array.from({ length: 5 }, () => ensureFirstAdmin(sql, { dataDir, passwords: fastHasher })),
  );
  expect(results.filter((r) => r.created)).toHaveLength(1);
  const [row] = await sql`select count(*)::int as n from users where kind = 'person'`;
  expect(row!.n).toBe(1);
  const created = results.find((r) => r.created)!;
  expect(readFileSync(join(dataDir, INITIAL_PASSWORD_FILE), "utf8").trim()).toBe(created.generatedPassword!);
});
