/**
 * Login throttling, per username and per client address — the pure rules.
 *
 * Guarantees: an attempt is counted *before* the password is checked (claimed), under a row
 * lock, so parallel guesses cannot slip past the limit; after n unproven attempts the next one
 * must wait a back-off of 1 s, 2 s, 4 s, … (capped), which also serialises bursts; when the
 * failures reach the limit the key is locked for the lockout duration; failures older than the
 * lockout duration are forgotten. A success clears the username's record and gives the address
 * back its claimed attempt. Unknown usernames are throttled exactly like known ones.
 */

export interface ThrottleSettings {
  /** Failures (per username) that lock it. LOGIN_MAX_FAILURES. */
  maxFailures: number;
  /** How long a lock lasts, and how long failures are remembered. LOGIN_LOCKOUT. */
  lockoutMs: number;
  /** Failures per client address that lock it; defaults to maxFailures. */
  ipMaxFailures?: number;
  /** First back-off step (doubles per failure). */
  backoffBaseMs?: number;
  /** Longest back-off between two attempts. */
  backoffMaxMs?: number;
}

export const DEFAULT_THROTTLE_SETTINGS: ThrottleSettings = { maxFailures: 5, lockoutMs: 15 * 60_000 };

export type ThrottleScope = "user" | "ip";

export interface ThrottleState {
  failures: number;
  lastFailureAt: Date | null;
  lockedUntil: Date | null;
}

export type Claim =
  | { allowed: true; next: ThrottleState }
  | { allowed: false; reason: "locked" | "backoff"; retryAfterMs: number };

export const EMPTY_STATE: ThrottleState = { failures: 0, lastFailureAt: null, lockedUntil: null };

export function limitFor(scope: ThrottleScope, s: ThrottleSettings): number {
  return scope === "ip" ? (s.ipMaxFailures ?? s.maxFailures) : s.maxFailures;
}

/** 0 before the first failure, then base · 2^(n−1), capped. */
export function backoffMs(failures: number, s: ThrottleSettings): number {
  if (failures <= 0) return 0;
  const base = s.backoffBaseMs ?? 1000;
  const max = Math.min(s.backoffMaxMs ?? 30_000, s.lockoutMs);
  return Math.min(max, base * 2 ** Math.min(failures - 1, 30));
}

/** Drops an expired lock and failures older than the memory window. */
export function current(state: ThrottleState, now: Date, s: ThrottleSettings): ThrottleState {
  const t = now.getTime();
  if (state.lockedUntil && t >= state.lockedUntil.getTime()) return EMPTY_STATE;
  if (!state.lockedUntil && state.lastFailureAt && t - state.lastFailureAt.getTime() >= s.lockoutMs) return EMPTY_STATE;
  return state;
}

/** May one more attempt start now? If so, the state that counts it. */
export function claimAttempt(state: ThrottleState, now: Date, scope: ThrottleScope, s: ThrottleSettings): Claim {
  const st = current(state, now, s);
  const t = now.getTime();
  if (st.lockedUntil) return { allowed: false, reason: "locked", retryAfterMs: st.lockedUntil.getTime() - t };
  if (st.failures >= limitFor(scope, s)) {
    // Attempts claimed by others are still in flight; wait for them like for a lock.
    return { allowed: false, reason: "locked", retryAfterMs: st.lastFailureAt!.getTime() + s.lockoutMs - t };
  }
  const wait = st.lastFailureAt ? st.lastFailureAt.getTime() + backoffMs(st.failures, s) - t : 0;
  if (wait > 0) return { allowed: false, reason: "backoff", retryAfterMs: wait };
  return { allowed: true, next: { failures: st.failures + 1, lastFailureAt: now, lockedUntil: null } };
}

/** After a wrong password: the claimed attempt stays counted; at the limit the key locks. */
export function afterFailure(
  state: ThrottleState,
  now: Date,
  scope: ThrottleScope,
  s: ThrottleSettings,
): { next: ThrottleState; lockedNow: boolean } {
  if (state.lockedUntil || state.failures < limitFor(scope, s)) return { next: state, lockedNow: false };
  return { next: { ...state, lockedUntil: new Date(now.getTime() + s.lockoutMs) }, lockedNow: true };
}

/** After a correct password: the username starts afresh; the address gets its claim back. */
export function afterSuccess(state: ThrottleState, scope: ThrottleScope): ThrottleState {
  if (scope === "user") return EMPTY_STATE;
  const failures = Math.max(0, state.failures - 1);
  return failures === 0 ? EMPTY_STATE : { ...state, failures };
}
