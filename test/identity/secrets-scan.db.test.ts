// After a scripted session touching every identity feature, dump every row of every table as
// text and search it: no password (right or wrong), no session or API-token secret, no CSRF
// token, no legacy token may appear anywhere; no stored hash may appear in the audit log.
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApiToken, resolveApiToken, revokeApiToken } from "../../app/identity/api-tokens.ts";
import { ensureFirstAdmin } from "../../app/identity/first-admin.ts";
import { resolveLegacyToken } from "../../app/identity/legacy-token.ts";
import { login } from "../../app/identity/login.ts";
import { changePassword, resetPassword } from "../../app/identity/password-change.ts";
import { ensureServiceUser } from "../../app/identity/service-user.ts";
import { csrfTokenFor } from "../../app/identity/session-token.ts";
import { DEFAULT_SESSION_SETTINGS, logout, resolveSession } from "../../app/identity/sessions.ts";
import { grantRole, setUserActive } from "../../app/identity/users.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, at, cli, fastHasher, loginDeps } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
const dataDir = mkdtempSync(join(tmpdir(), "nmg-scan-"));
afterAll(async () => {
  await db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function dumpAllTables(): Promise<Map<string, string>> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  const dump = new Map<string, string>();
  // Table names come from the catalog, not from input.
  for (const { name } of tables) {
    const rows = await sql<{ row: string }[]>`select t::text as row from ${sql(name)} t`;
    dump.set(name, rows.map((r) => r.row).join("\n"));
  }
  return dump;
}

test("no password, token secret, session secret or CSRF token is stored anywhere", async () => {
  const secrets: string[] = [];
  const t0 = new Date("2034-02-02T09:00:00Z");
  const first = await ensureFirstAdmin(sql, { dataDir, passwords: fastHasher, now: t0 });
  secrets.push(first.generatedPassword!);

  const alice = await addUser(sql, { username: "alice", password: "alice secret passphrase", roles: ["operator"] });
  secrets.push(alice.password);
  const wrong = "alice wrong guess passphrase";
  secrets.push(wrong);
  await login(
    sql,
    { username: "alice", password: wrong, clientIp: "192.0.2.1", userAgent: "scan" },
    loginDeps({ now: t0 }),
  ).catch(() => {});
  await login(
    sql,
    { username: "nobody", password: "guess for nobody here", clientIp: "192.0.2.1" },
    loginDeps({ now: at(t0, 5000) }),
  ).catch(() => {});
  secrets.push("guess for nobody here");

  const s1 = await login(
    sql,
    { username: "alice", password: alice.password, clientIp: "192.0.2.2", userAgent: "scan" },
    loginDeps({ now: at(t0, 10_000) }),
  );
  secrets.push(s1.token, s1.token.split(".")[1]!, csrfTokenFor(s1.token)!);
  await resolveSession(sql, s1.token, at(t0, 200_000), DEFAULT_SESSION_SETTINGS);

  const tok = await createApiToken(sql, cli(t0), { username: "alice", name: "claude" });
  secrets.push(tok.token, tok.token.slice(-43));
  await resolveApiToken(sql, tok.token, { now: at(t0, 20_000), clientIp: "192.0.2.3" });
  const tok2 = await createApiToken(sql, cli(t0), { username: "alice", name: "old", readOnly: true });
  secrets.push(tok2.token, tok2.token.slice(-43));
  await revokeApiToken(sql, cli(t0), tok2.id);

  const newPassword = "alice changed passphrase";
  secrets.push(newPassword);
  const changed = await changePassword(
    sql,
    { userId: alice.id, currentPassword: alice.password, newPassword, startNewSession: true },
    { passwords: fastHasher, sessions: DEFAULT_SESSION_SETTINGS, now: at(t0, 30_000) },
  );
  secrets.push(changed.session!.token, changed.session!.token.split(".")[1]!);
  await logout(sql, changed.session!.token);

  const bob = await addUser(sql, { username: "bob", password: "bob secret passphrase" });
  secrets.push(bob.password);
  const reset = await resetPassword(sql, cli(t0), { username: "bob" }, { passwords: fastHasher });
  secrets.push(reset.generatedPassword!);
  await grantRole(sql, cli(), "bob", "operator");
  const bobToken = await createApiToken(sql, cli(t0), { username: "bob", name: "b" });
  secrets.push(bobToken.token, bobToken.token.slice(-43));
  await setUserActive(sql, cli(), "bob", false);

  const legacy = "legacy-shared-token-0123456789abcdef0123456789";
  secrets.push(legacy);
  await ensureServiceUser(sql, "mcp-service");
  await grantRole(sql, cli(), "mcp-service", "viewer");
  await resolveLegacyToken(sql, legacy, legacy, "mcp-service");

  const dump = await dumpAllTables();
  expect([...dump.keys()]).toEqual(
    expect.arrayContaining(["users", "sessions", "api_tokens", "login_throttle", "audit_events"]),
  );
  expect((dump.get("audit_events") ?? "").length).toBeGreaterThan(1000);
  for (const [table, text] of dump) {
    for (const secret of secrets) {
      if (text.includes(secret)) throw new Error(`table ${table} contains a secret (${secret.length} characters)`);
    }
  }

  // Hashes live only in their own columns, never in the audit log.
  const hashes = [
    ...(await sql<{ h: string }[]>`select password_hash as h from users where password_hash is not null`),
    ...(await sql<{ h: string }[]>`select secret_hash as h from sessions`),
    ...(await sql<{ h: string }[]>`select secret_hash as h from api_tokens`),
  ].map((r) => r.h);
  expect(hashes.length).toBeGreaterThan(4);
  const audit = dump.get("audit_events")!;
  for (const h of hashes) expect(audit.includes(h)).toBe(false);
  // And the argon2 hashes are argon2id PHC strings, the others SHA-256 hex.
  expect(hashes.filter((h) => h.startsWith("$argon2id$")).length).toBeGreaterThanOrEqual(3);
});
