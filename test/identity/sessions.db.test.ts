import { afterAll, expect, test } from "bun:test";
import { Invalid, Unauthorized } from "../../app/errors.ts";
import { login } from "../../app/identity/login.ts";
import { changePassword, resetPassword } from "../../app/identity/password-change.ts";
import { csrfTokenFor, verifyCsrfToken } from "../../app/identity/session-token.ts";
import { DEFAULT_SESSION_SETTINGS, logout, purgeExpiredSessions, resolveSession } from "../../app/identity/sessions.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, at, auditRows, cli, fastHasher, loginDeps, minutes } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
afterAll(() => db.close());
const S = DEFAULT_SESSION_SETTINGS;
const t0 = new Date("2031-03-01T08:00:00Z");

// One client address per user: each test moves its own clock, and the throttle of a shared
// address would see time run backwards between tests.
async function sessionAt(username: string, password: string, now = t0) {
  return login(
    sql,
    { username, password, clientIp: `192.0.2.${username.replace(/\D/g, "")}`, userAgent: "test-browser" },
    loginDeps({ now }),
  );
}

async function lastSeen(id: string): Promise<Date> {
  const [row] = await sql<{ t: Date }[]>`select last_seen_at as t from sessions where id = ${id}`;
  return row!.t;
}

test("login returns a session whose token resolves to the user's principal", async () => {
  const u = await addUser(sql, { roles: ["operator"] });
  const s = await sessionAt(u.username, u.password);
  expect(s.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
  expect(s.token.startsWith(`${s.sessionId}.`)).toBe(true);
  expect(s.absoluteExpiresAt).toEqual(at(t0, 8 * 3_600_000));
  expect(s.mustChangePassword).toBe(false);
  const p = await resolveSession(sql, s.token, at(t0, 1000), S);
  expect(p).toMatchObject({
    userId: u.id,
    username: u.username,
    via: "session",
    sessionId: s.sessionId,
    roles: ["operator"],
  });
  const [row] = await sql`select secret_hash, client_ip, user_agent from sessions where id = ${s.sessionId}`;
  expect(row).toMatchObject({ client_ip: `192.0.2.${u.username.replace(/\D/g, "")}`, user_agent: "test-browser" });
  expect(row!.secret_hash).not.toContain(s.token.split(".")[1]!);
});

test("no fixation: every login makes a new session id; old ones stay separate", async () => {
  const u = await addUser(sql);
  const ids = new Set<string>();
  for (let i = 0; i < 3; i++) ids.add((await sessionAt(u.username, u.password, at(t0, i * 5000))).sessionId);
  expect(ids.size).toBe(3);
});

test("a wrong secret, a malformed token and an unknown id resolve to nothing", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  const [id, secret] = s.token.split(".") as [string, string];
  const flipped = `${id}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
  for (const bad of [flipped, "nonsense", "", `${"A".repeat(22)}.${secret}`])
    expect(await resolveSession(sql, bad, t0, S)).toBeNull();
  // A wrong secret does not end the real session (no denial of service by id).
  expect(await resolveSession(sql, s.token, t0, S)).not.toBeNull();
});

test("idle timeout: an hour without use ends the session; use slides the window", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  expect(await resolveSession(sql, s.token, at(t0, minutes(50)), S)).not.toBeNull();
  expect(await resolveSession(sql, s.token, at(t0, minutes(100)), S)).not.toBeNull(); // 50 min after last use
  expect(await resolveSession(sql, s.token, at(t0, minutes(160)), S)).toBeNull(); // 60 min idle
  expect((await sql`select id from sessions where id = ${s.sessionId}`).length).toBe(0);
});

test("absolute lifetime: 8 hours at most, however busy", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  for (let m = 30; m < 480; m += 30) expect(await resolveSession(sql, s.token, at(t0, minutes(m)), S)).not.toBeNull();
  expect(await resolveSession(sql, s.token, at(t0, minutes(480)), S)).toBeNull();
});

test("a shorter configured lifetime applies to sessions made before the change", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  expect(
    await resolveSession(sql, s.token, at(t0, minutes(45)), { absoluteMs: minutes(30), idleMs: minutes(10) }),
  ).toBeNull();
});

test("sliding renewal writes last_seen_at at most once a minute", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  const seen: number[] = [];
  for (let sec = 0; sec <= 180; sec += 10) {
    await resolveSession(sql, s.token, at(t0, sec * 1000), S);
    seen.push((await lastSeen(s.sessionId)).getTime());
  }
  const writes = new Set(seen);
  expect([...writes].map((t) => (t - t0.getTime()) / 1000)).toEqual([0, 60, 120, 180]);
  // Many parallel requests in the same minute still write once.
  await Promise.all(Array.from({ length: 10 }, () => resolveSession(sql, s.token, at(t0, 250_000), S)));
  expect(await lastSeen(s.sessionId)).toEqual(at(t0, 250_000));
});

test("logout ends the session and is audited; a second logout is a no-op", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  expect(await logout(sql, s.token, { clientIp: "192.0.2.10" })).toBe(true);
  expect(await resolveSession(sql, s.token, t0, S)).toBeNull();
  expect(await logout(sql, s.token)).toBe(false);
  expect(await logout(sql, "garbage")).toBe(false);
  const rows = (await auditRows(sql, "auth.logout")).filter((r) => r.username === u.username);
  expect(rows).toHaveLength(1);
  expect(rows[0]!.resource_id).toBe(s.sessionId);
});

test("changing the password ends every session and can start one fresh session", async () => {
  const u = await addUser(sql);
  const a = await sessionAt(u.username, u.password);
  const b = await sessionAt(u.username, u.password, at(t0, 2000));
  const deps = { passwords: fastHasher, sessions: S, now: at(t0, 5000) };
  await expect(
    changePassword(
      sql,
      { userId: u.id, currentPassword: "wrong password here", newPassword: "a brand new passphrase" },
      deps,
    ),
  ).rejects.toThrow(Unauthorized);
  await expect(
    changePassword(sql, { userId: u.id, currentPassword: u.password, newPassword: "password1234" }, deps),
  ).rejects.toThrow(Invalid);
  await expect(
    changePassword(sql, { userId: u.id, currentPassword: u.password, newPassword: u.password }, deps),
  ).rejects.toThrow(/differ/);
  expect(await resolveSession(sql, a.token, at(t0, 6000), S)).not.toBeNull();
  const r = await changePassword(
    sql,
    { userId: u.id, currentPassword: u.password, newPassword: "a brand new passphrase", startNewSession: true },
    deps,
  );
  expect(r.sessionsEnded).toBe(2);
  expect(await resolveSession(sql, a.token, at(t0, 6000), S)).toBeNull();
  expect(await resolveSession(sql, b.token, at(t0, 6000), S)).toBeNull();
  expect(r.session!.id).not.toBe(a.sessionId);
  expect(await resolveSession(sql, r.session!.token, at(t0, 6000), S)).not.toBeNull();
  await expect(sessionAt(u.username, u.password, at(t0, 60_000))).rejects.toThrow(Unauthorized);
  expect((await sessionAt(u.username, "a brand new passphrase", at(t0, 120_000))).token).toBeString();
  const rows = (await auditRows(sql, "user.password.change")).filter((x) => x.username === u.username);
  expect(rows.map((x) => x.status)).toEqual(["failed", "ok"]);
});

test("an administrator's reset ends sessions and forces a change; the session then may do nothing else", async () => {
  const u = await addUser(sql);
  const s = await sessionAt(u.username, u.password);
  const r = await resetPassword(sql, cli(), { username: u.username }, { passwords: fastHasher });
  expect(r.sessionsEnded).toBe(1);
  expect(await resolveSession(sql, s.token, t0, S)).toBeNull();
  const fresh = await sessionAt(u.username, r.generatedPassword!, at(t0, 10_000));
  expect(fresh.mustChangePassword).toBe(true);
  expect(fresh.principal.mustChangePassword).toBe(true);
  const { authorize } = await import("../../app/identity/authorize.ts");
  expect(authorize(fresh.principal, "mcp:read").allowed).toBe(false);
  await changePassword(
    sql,
    { userId: u.id, currentPassword: r.generatedPassword!, newPassword: "my own passphrase now" },
    { passwords: fastHasher, sessions: S, now: at(t0, 20_000) },
  );
  const after = await sessionAt(u.username, "my own passphrase now", at(t0, 30_000));
  expect(after.mustChangePassword).toBe(false);
  expect(authorize(after.principal, "mcp:read").allowed).toBe(true);
});

test("the CSRF token belongs to one session", async () => {
  const u = await addUser(sql);
  const a = await sessionAt(u.username, u.password);
  const b = await sessionAt(u.username, u.password, at(t0, 2000));
  expect(verifyCsrfToken(a.token, csrfTokenFor(a.token))).toBe(true);
  expect(verifyCsrfToken(b.token, csrfTokenFor(a.token))).toBe(false);
});

test("housekeeping removes expired sessions only", async () => {
  const u = await addUser(sql);
  const old = await sessionAt(u.username, u.password, at(t0, -minutes(600)));
  const live = await sessionAt(u.username, u.password, at(t0, 5000));
  await purgeExpiredSessions(sql, at(t0, 10_000), S);
  expect((await sql`select id from sessions where id = ${old.sessionId}`).length).toBe(0);
  expect((await sql`select id from sessions where id = ${live.sessionId}`).length).toBe(1);
});
