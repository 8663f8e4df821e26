import { afterAll, expect, test } from "bun:test";
import { TooManyRequests, Unauthorized } from "../../app/errors.ts";
import { login, LOGIN_FAILED, type LoginInput } from "../../app/identity/login.ts";
import { createPasswordHasher, warmUp } from "../../app/identity/passwords.ts";
import { resetPassword } from "../../app/identity/password-change.ts";
import { createUser } from "../../app/identity/users.ts";
import { ensureServiceUser } from "../../app/identity/service-user.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, at, auditRows, cli, countingHasher, fastHasher, loginDeps, minutes } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
afterAll(() => db.close());
const t0 = new Date("2032-05-01T10:00:00Z");
const THROTTLE = { maxFailures: 3, lockoutMs: minutes(15) };

async function attempt(input: LoginInput, now: Date, deps = loginDeps({ throttle: THROTTLE })) {
  return login(sql, input, { ...deps, now }).then(
    () => "ok",
    (err) =>
      err instanceof TooManyRequests
        ? `429 ${err.retryAfterSeconds}`
        : err instanceof Unauthorized
          ? `401 ${err.message}`
          : `error ${err}`,
  );
}

test("no user enumeration: unknown user and wrong password give one message and one hash each", async () => {
  const u = await addUser(sql);
  const disabled = await addUser(sql);
  await import("../../app/identity/users.ts").then((m) => m.setUserActive(sql, cli(), disabled.username, false));
  await ensureServiceUser(sql, "svc-enum");
  const outcomes: string[] = [];
  for (const [i, input] of [
    { username: "no-such-user", password: "whatever it is" },
    { username: u.username, password: "not the password" },
    { username: disabled.username, password: disabled.password },
    { username: "svc-enum", password: "anything at all" },
  ].entries()) {
    const hasher = countingHasher();
    outcomes.push(
      await attempt(
        { ...input, clientIp: `198.51.100.${i}` },
        t0,
        loginDeps({ throttle: THROTTLE, passwords: hasher }),
      ),
    );
    expect(hasher.verifies).toBe(1);
    expect(hasher.hashes).toBe(0);
  }
  expect(new Set(outcomes)).toEqual(new Set([`401 ${LOGIN_FAILED}`]));
  const reasons = (await auditRows(sql, "auth.login")).map((r) => [r.status, r.reason]);
  expect(reasons).toEqual([
    ["failed", "unknown user"],
    ["failed", "wrong password"],
    ["failed", "user is inactive"],
    ["failed", "user cannot log in with a password"],
  ]);
});

test("no user enumeration: unknown user and wrong password take comparable time (production argon2)", async () => {
  const real = createPasswordHasher();
  await warmUp(real);
  const { user } = await createUser(
    sql,
    cli(),
    { username: "timed", password: "timing test passphrase", roles: ["viewer"] },
    { passwords: real },
  );
  const deps = loginDeps({ passwords: real, throttle: { maxFailures: 1000, lockoutMs: 1000, backoffBaseMs: 0 } });
  const time = async (username: string, i: number) => {
    const start = performance.now();
    await login(
      sql,
      { username, password: "wrong wrong wrong", clientIp: `203.0.113.${i}` },
      { ...deps, now: at(t0, i * 10_000) },
    ).catch(() => {});
    return performance.now() - start;
  };
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < 9; i++) {
    known.push(await time(user.username, 2 * i));
    unknown.push(await time("ghost-user", 2 * i + 1));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const [k, u] = [median(known), median(unknown)];
  // Both are dominated by one argon2 verification; without the dummy hash the unknown user would
  // answer in a millisecond or two. The loose bound absorbs a busy machine, not a missing hash.
  const ratio = Math.min(k, u) / Math.max(k, u);
  expect({ ratio: ratio > 0.5, k: Math.round(k), u: Math.round(u) }).toMatchObject({ ratio: true });
  expect(Math.min(k, u)).toBeGreaterThan(5);
});

test("per-username throttling: back-off between failures, lockout at the limit, audited, from any address", async () => {
  const u = await addUser(sql);
  const ip = (n: number) => ({ clientIp: `10.20.0.${n}` });
  const wrong = { username: u.username, password: "wrong guess number" };
  expect(await attempt({ ...wrong, ...ip(1) }, t0)).toBe(`401 ${LOGIN_FAILED}`);
  expect(await attempt({ ...wrong, ...ip(2) }, at(t0, 500))).toBe("429 1");
  expect(await attempt({ ...wrong, ...ip(3) }, at(t0, 1000))).toBe(`401 ${LOGIN_FAILED}`);
  expect(await attempt({ ...wrong, ...ip(4) }, at(t0, 2000))).toBe("429 1");
  expect(await attempt({ ...wrong, ...ip(5) }, at(t0, 3000))).toBe(`401 ${LOGIN_FAILED}`); // third: locks
  // Locked: even the right password is refused, without checking it.
  const hasher = countingHasher();
  expect(
    await attempt(
      { username: u.username, password: u.password, ...ip(6) },
      at(t0, 60_000),
      loginDeps({ throttle: THROTTLE, passwords: hasher }),
    ),
  ).toBe(`429 ${15 * 60 - 57}`);
  expect(hasher.verifies).toBe(0);
  // The same limit holds for an upper-case spelling of the name.
  expect(
    await attempt({ username: u.username.toUpperCase(), password: u.password, ...ip(7) }, at(t0, 60_000)),
  ).toStartWith("429");
  expect(await attempt({ username: u.username, password: u.password, ...ip(8) }, at(t0, 3000 + minutes(15)))).toBe(
    "ok",
  );
  const lockouts = (await auditRows(sql, "auth.lockout")).filter((r) => r.resource_id === u.username);
  expect(lockouts).toHaveLength(1);
  expect(lockouts[0]!.reason).toContain("3 failed logins");
  const denied = (await auditRows(sql, "auth.login")).filter(
    (r) => r.username?.toLowerCase() === u.username.toLowerCase() && r.status === "denied",
  );
  expect(denied.length).toBe(4);
});

test("a success clears the username's failures", async () => {
  const u = await addUser(sql);
  const ip = { clientIp: "10.30.0.1" };
  expect(await attempt({ username: u.username, password: "wrong guess here", ...ip }, t0)).toStartWith("401");
  expect(await attempt({ username: u.username, password: "wrong guess here", ...ip }, at(t0, 2000))).toStartWith("401");
  expect(await attempt({ username: u.username, password: u.password, ...ip }, at(t0, 10_000))).toBe("ok");
  const [row] = await sql`select count(*)::int as n from login_throttle where scope = 'user'
                          and key = encode(sha256(convert_to(lower(${u.username}), 'UTF8')), 'hex')`;
  expect(row!.n).toBe(0);
});

test("per-address throttling: many usernames from one address lock the address, not the users", async () => {
  const users = [await addUser(sql), await addUser(sql), await addUser(sql), await addUser(sql)];
  const ip = { clientIp: "10.40.0.1" };
  let now = t0;
  for (const u of users.slice(0, 3)) {
    now = at(now, 10_000);
    expect(await attempt({ username: u.username, password: "spray password 1", ...ip }, now)).toBe(
      `401 ${LOGIN_FAILED}`,
    );
  }
  now = at(now, 10_000);
  expect(await attempt({ username: users[3]!.username, password: users[3]!.password, ...ip }, now)).toStartWith("429");
  // The same user from another address is fine: the address was locked, not the account.
  expect(
    await attempt({ username: users[3]!.username, password: users[3]!.password, clientIp: "10.40.0.2" }, now),
  ).toBe("ok");
  const lockout = (await auditRows(sql, "auth.lockout")).find((r) => r.resource_id === "10.40.0.1");
  expect(lockout).toBeDefined();
});

test("parallel guesses cannot exceed the limit: attempts are counted before the password is checked", async () => {
  const u = await addUser(sql);
  const hasher = countingHasher();
  const results = await Promise.all(
    Array.from({ length: 12 }, (_, i) =>
      attempt(
        { username: u.username, password: `parallel guess ${i}`, clientIp: `10.50.0.${i}` },
        t0,
        loginDeps({ throttle: THROTTLE, passwords: hasher }),
      ),
    ),
  );
  expect(results.filter((r) => r.startsWith("401"))).toHaveLength(1);
  expect(results.filter((r) => r.startsWith("429"))).toHaveLength(11);
  expect(hasher.verifies).toBe(1);
});

test("an administrator's password reset lifts a username lockout", async () => {
  const u = await addUser(sql);
  let now = t0;
  for (let i = 0; i < 3; i++) {
    now = at(now, 10_000);
    await attempt({ username: u.username, password: "wrong again and again", clientIp: `10.60.0.${i}` }, now);
  }
  expect(
    await attempt({ username: u.username, password: u.password, clientIp: "10.60.1.1" }, at(now, 1000)),
  ).toStartWith("429");
  const r = await resetPassword(
    sql,
    cli(),
    { username: u.username, newPassword: "fresh passphrase value", mustChange: false },
    { passwords: fastHasher },
  );
  expect(r.generatedPassword).toBeUndefined();
  expect(
    await attempt({ username: u.username, password: "fresh passphrase value", clientIp: "10.60.1.1" }, at(now, 2000)),
  ).toBe("ok");
});

test("a hash with old parameters is replaced at login; the password still works", async () => {
  const u = await addUser(sql); // hashed with the fast test parameters
  const stronger = createPasswordHasher({ memoryCost: 2048, timeCost: 2, parallelism: 1 });
  const deps = loginDeps({ passwords: stronger });
  await login(sql, { username: u.username, password: u.password, clientIp: "10.70.0.1" }, { ...deps, now: t0 });
  const [row] = await sql<{ h: string }[]>`select password_hash as h from users where id = ${u.id}`;
  expect(row!.h).toStartWith("$argon2id$v=19$m=2048,t=2,p=1$");
  expect(
    (
      await login(
        sql,
        { username: u.username, password: u.password, clientIp: "10.70.0.1" },
        { ...deps, now: at(t0, 5000) },
      )
    ).token,
  ).toBeString();
  const ok = (await auditRows(sql, "auth.login")).filter((r) => r.username === u.username && r.status === "ok");
  expect(ok.map((r) => r.details.rehashed ?? false)).toEqual([true, false]);
});

test("a successful login is audited with the session id and updates last login", async () => {
  const u = await addUser(sql);
  const r = await login(
    sql,
    { username: u.username, password: u.password, clientIp: "10.80.0.1", userAgent: "UA/1" },
    loginDeps({ now: t0 }),
  );
  const [audit] = (await auditRows(sql, "auth.login")).filter((x) => x.username === u.username);
  expect(audit).toMatchObject({ status: "ok", resource_id: r.sessionId });
  const [row] = await sql`select last_login_at from users where id = ${u.id}`;
  expect(row!.last_login_at).toEqual(t0);
});
