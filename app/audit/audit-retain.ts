/**
 * Retention: removing audit events older than a number of days.
 *
 * Guarantees: events leave only through audit_retain() (sql/0003_audit.sql), which removes the
 * oldest sealed stretch of the chain and records what it removed — count, sequence range, time
 * range, last removed sequence and hash — in a checkpoint event that joins the chain itself, so
 * the chain still verifies from the first remaining event. Pending events are sealed first, so
 * old events are never left behind unsealed.
 */
import type { Sql } from "postgres";
import { Invalid } from "../errors.ts";
import { requirePermission } from "../identity/authorize.ts";
import type { Caller } from "../identity/caller.ts";
import { sealPending } from "./audit-seal.ts";
import { callRetain, type RetainOutcome } from "./audit.sql.ts";

export interface RetainOptions {
  olderThanDays: number;
}

export type { RetainOutcome };

/** Needs settings:manage: removing history is an administrator's decision, recorded with their name. */
export async function retainAudit(sql: Sql, caller: Caller, opts: RetainOptions): Promise<RetainOutcome> {
  requirePermission(caller.principal, "settings:manage");
  const days = opts.olderThanDays;
  if (!Number.isInteger(days) || days < 1 || days > 36_500) {
    throw new Invalid(`keep audit events for a whole number of days from 1 to 36500 (got ${days})`);
  }
  await sealPending(sql);
  return callRetain(sql, days, caller.actor.via, caller.principal.username);
}
