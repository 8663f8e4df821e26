import { expect, test } from "bun:test";
import {
  afterFailure,
  afterSuccess,
  backoffMs,
  claimAttempt,
  EMPTY_STATE,
  type ThrottleSettings,
  type ThrottleState,
} from "../../app/identity/throttle.ts";

const S: ThrottleSettings = { maxFailures: 3, lockoutMs: 600_000 };
const t0 = new Date("2030-01-01T00:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

/** One failed attempt at `now`: claim, then the failure. */
function fail(state: ThrottleState, now: Date): ThrottleState {
  const c = claimAttempt(state, now, "user", S);
  if (!c.allowed) throw new Error(`refused: ${c.reason}`);
  return afterFailure(c.next, now, "user", S).next;
}

test("back-off doubles per failure from 1 s and is capped", () => {
  expect([0, 1, 2, 3, 4].map((n) => backoffMs(n, S))).toEqual([0, 1000, 2000, 4000, 8000]);
  expect(backoffMs(30, S)).toBe(30_000);
  expect(backoffMs(30, { ...S, lockoutMs: 5000 })).toBe(5000);
});

test("an attempt is counted when claimed, before the password is known", () => {
  const c = claimAttempt(EMPTY_STATE, t0, "user", S);
  expect(c).toEqual({ allowed: true, next: { failures: 1, lastFailureAt: t0, lockedUntil: null } });
  // A parallel attempt in the same instant must wait for the back-off.
  const parallel = claimAttempt((c as { next: ThrottleState }).next, t0, "user", S);
  expect(parallel).toEqual({ allowed: false, reason: "backoff", retryAfterMs: 1000 });
});

test("failures reach the limit and lock; the lock ends after the lockout", () => {
  let s = fail(EMPTY_STATE, t0);
  s = fail(s, at(1000));
  expect(claimAttempt(s, at(2500), "user", S)).toMatchObject({ allowed: false, reason: "backoff", retryAfterMs: 500 });
  const c = claimAttempt(s, at(3000), "user", S);
  expect(c.allowed).toBe(true);
  const r = afterFailure((c as { next: ThrottleState }).next, at(3000), "user", S);
  expect(r.lockedNow).toBe(true);
  expect(r.next.lockedUntil).toEqual(at(603_000));
  expect(claimAttempt(r.next, at(400_000), "user", S)).toMatchObject({
    allowed: false,
    reason: "locked",
    retryAfterMs: 203_000,
  });
  expect(claimAttempt(r.next, at(603_000), "user", S)).toEqual({
    allowed: true,
    next: { failures: 1, lastFailureAt: at(603_000), lockedUntil: null },
  });
});

test("failures older than the lockout window are forgotten", () => {
  const s = fail(fail(EMPTY_STATE, t0), at(1000));
  expect(claimAttempt(s, at(601_000), "user", S)).toEqual({
    allowed: true,
    next: { failures: 1, lastFailureAt: at(601_000), lockedUntil: null },
  });
});

test("success: the username starts afresh, the address gets its claim back", () => {
  const s: ThrottleState = { failures: 2, lastFailureAt: t0, lockedUntil: null };
  expect(afterSuccess(s, "user")).toEqual(EMPTY_STATE);
  expect(afterSuccess(s, "ip")).toEqual({ failures: 1, lastFailureAt: t0, lockedUntil: null });
  expect(afterSuccess({ failures: 1, lastFailureAt: t0, lockedUntil: null }, "ip")).toEqual(EMPTY_STATE);
});

test("addresses may have their own, larger limit", () => {
  const settings = { ...S, ipMaxFailures: 10 };
  const s: ThrottleState = { failures: 3, lastFailureAt: t0, lockedUntil: null };
  expect(afterFailure(s, t0, "ip", settings).lockedNow).toBe(false);
  expect(afterFailure(s, t0, "user", settings).lockedNow).toBe(true);
});
