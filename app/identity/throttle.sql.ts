// Queries of login_throttle (sql/0002_identity.sql): rows are locked in one order (scope, key)
// so two logins never deadlock, and an all-zero row is deleted rather than kept.
import type { Db } from "./db-handle.ts";
import type { ThrottleScope, ThrottleState } from "./throttle.ts";

export interface ThrottleKey {
  scope: ThrottleScope;
  key: string;
}

interface Row extends ThrottleState {
  scope: ThrottleScope;
  key: string;
}

/** Creates missing rows and locks all of them until the transaction ends. */
export async function lockThrottleRows(db: Db, keys: ThrottleKey[]): Promise<Map<string, ThrottleState>> {
  const scopes = keys.map((k) => k.scope);
  const names = keys.map((k) => k.key);
  await db`insert into login_throttle (scope, key)
           select * from unnest(${scopes}::text[], ${names}::text[]) order by 1, 2
           on conflict (scope, key) do nothing`;
  const rows = await db<Row[]>`
    select t.scope, t.key, t.failures, t.last_failure_at as "lastFailureAt", t.locked_until as "lockedUntil"
    from login_throttle t join unnest(${scopes}::text[], ${names}::text[]) as k(scope, key)
      on t.scope = k.scope and t.key = k.key
    order by t.scope, t.key
    for update of t`;
  return new Map(
    rows.map((r) => [
      `${r.scope}:${r.key}`,
      { failures: r.failures, lastFailureAt: r.lastFailureAt, lockedUntil: r.lockedUntil },
    ]),
  );
}

export async function saveThrottle(db: Db, k: ThrottleKey, s: ThrottleState): Promise<void> {
  if (s.failures === 0 && !s.lockedUntil) {
    await db`delete from login_throttle where scope = ${k.scope} and key = ${k.key}`;
    return;
  }
  await db`update login_throttle set failures = ${s.failures}, last_failure_at = ${s.lastFailureAt}, locked_until = ${s.lockedUntil}
           where scope = ${k.scope} and key = ${k.key}`;
}

/** Housekeeping: rows whose lock and memory window have both passed. */
export async function deleteStaleThrottleRows(db: Db, now: Date, lockoutMs: number): Promise<number> {
  const forgetBefore = new Date(now.getTime() - lockoutMs);
  const rows = await db`delete from login_throttle
                        where (locked_until is null or locked_until <= ${now})
                          and (last_failure_at is null or last_failure_at <= ${forgetBefore})
                        returning key`;
  return rows.length;
}

/** An administrator's unlock (password reset): forget a username's failures. */
export async function clearThrottle(db: Db, k: ThrottleKey): Promise<void> {
  await db`delete from login_throttle where scope = ${k.scope} and key = ${k.key}`;
}
