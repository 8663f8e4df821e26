/**
 * The last active admin cannot be removed, deactivated or demoted.
 *
 * Guarantees: every change that could reduce the number of active admins runs
 * `guardAdmins(tx, …)` in its own transaction. The guard takes one transaction-level advisory
 * lock, so such changes run one after another on every node; it counts admins before the change
 * and again after it (seeing everything committed before the lock was granted) and rolls the
 * change back if it took the count from one or more to zero. Two admins disabling each other at
 * the same moment therefore leave one of them active.
 */
import { Conflict } from "../errors.ts";
import type { TransactionSql } from "./db-handle.ts";

/** Arbitrary constant naming the lock: "nmg-admins" (the migration lock is 7_463_001). */
const ADMIN_LOCK_ID = 7_463_002;

/** An admin: an active person holding the system role `admin`. */
export async function countActiveAdmins(tx: TransactionSql): Promise<number> {
  const [row] = await tx<{ n: number }[]>`
    select count(*)::int as n from users u
    where u.active and u.kind = 'person'
      and exists (select 1 from user_roles ur join roles r on r.id = ur.role_id
                  where ur.user_id = u.id and r.system and r.name = 'admin')`;
  return row!.n;
}

/** Runs `change` under the admin lock; throws Conflict (and so rolls back) if no admin would remain. */
export async function guardAdmins<T>(tx: TransactionSql, what: string, change: () => Promise<T>): Promise<T> {
  await tx`select pg_advisory_xact_lock(${ADMIN_LOCK_ID})`;
  const before = await countActiveAdmins(tx);
  const result = await change();
  const after = await countActiveAdmins(tx);
  if (before > 0 && after === 0)
    throw new Conflict(`${what} would leave no active admin; make another user an admin first`);
  return result;
}
