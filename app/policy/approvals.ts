/**
 * Human approval of individual calls. A call that needs approval creates a request bound to
 * the user, the operation, the cluster and a hash of the exact arguments; an approver decides
 * (UI or CLI); the approved request can then be used once, by the same user, for that same
 * call, before it expires. A model cannot approve its own call: deciding needs a human
 * principal with approvals:decide, and requesters cannot approve their own requests (four
 * eyes) unless the `approvals` setting explicitly allows it.
 *
 * Guarantees: identical refused calls (same user, operation, cluster, arguments) while a
 * request is pending reuse that one request — a retrying model makes one request, not many
 * (serialised per call key with a transaction-scoped advisory lock, so concurrent retries too);
 * requests expire after the configured time (default 1 h); an expired request is never
 * approved or used.
 */
import { createHash } from "node:crypto";
import type { Sql, TransactionSql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditActor } from "../audit/audit-event.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import type { Principal } from "../identity/principal.ts";

/** Appliance-wide approval settings (settings key 'approvals'). */
export interface ApprovalSettings {
  /** How long a request waits for a decision, and an approval stays usable. */
  ttlMinutes: number;
  /** Four eyes by default: false = nobody approves their own request. */
  allowSelfApproval: boolean;
}

export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = { ttlMinutes: 60, allowSelfApproval: false };

type Db = Sql | TransactionSql;
const APPROVAL_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Canonical JSON (sorted keys) so the same arguments always hash the same. */
export function argsHash(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return createHash("sha256").update(JSON.stringify(canon(value ?? null))).digest("hex");
}

export interface ApprovalCall {
  operationId: string;
  clusterId: string;
  clusterName: string;
  args: Record<string, unknown>;
}

export async function getApprovalSettings(db: Db): Promise<ApprovalSettings> {
  const [row] = await db<{ value: Partial<ApprovalSettings> }[]>`select value from settings where key = 'approvals'`;
  const v = row?.value ?? {};
  return {
    ttlMinutes: typeof v.ttlMinutes === "number" && v.ttlMinutes > 0 ? v.ttlMinutes : DEFAULT_APPROVAL_SETTINGS.ttlMinutes,
    allowSelfApproval: v.allowSelfApproval === true,
  };
}

export async function setApprovalSettings(sql: Sql, actor: AuditActor, s: ApprovalSettings): Promise<void> {
  if (!Number.isInteger(s.ttlMinutes) || s.ttlMinutes < 1 || s.ttlMinutes > 7 * 24 * 60) {
    throw new Invalid(`the approval expiry must be a whole number of minutes between 1 and ${7 * 24 * 60} (7 days); got ${s.ttlMinutes}`);
  }
  const value = { ttlMinutes: s.ttlMinutes, allowSelfApproval: s.allowSelfApproval === true };
  await sql.begin(async (tx) => {
    await tx`insert into settings (key, value, updated_by) values ('approvals', ${tx.json(value)}, ${actor.username ?? null})
             on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = excluded.updated_by`;
    await recordAudit(tx, { action: "settings.approvals.update", status: "ok", actor, details: value });
  });
}

export interface ApprovalTicket {
  id: string;
  /** True when an identical pending request already existed and is reused. */
  reused: boolean;
  expiresAt: Date;
}

/**
 * The pending request for this exact call: the existing one when the same user already asked
 * for the same operation, cluster and arguments and it is still pending, else a new one.
 */
export async function requestApproval(sql: Sql, p: Principal, call: ApprovalCall, actor: AuditActor): Promise<ApprovalTicket> {
  const hash = argsHash(call.args);
  return sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(hashtextextended(${`approval:${p.userId}:${call.operationId}:${call.clusterId}:${hash}`}, 0))`;
    const [existing] = await tx<{ id: string; expires_at: Date }[]>`
      select id, expires_at from approval_requests
      where status = 'pending' and user_id = ${p.userId} and operation_id = ${call.operationId}
        and cluster_id = ${call.clusterId} and args_hash = ${hash} and expires_at > now()
      order by requested_at desc limit 1`;
    if (existing) return { id: existing.id, reused: true, expiresAt: existing.expires_at };
    const { ttlMinutes } = await getApprovalSettings(tx);
    const [row] = await tx<{ id: string; expires_at: Date }[]>`
      insert into approval_requests (user_id, username, operation_id, cluster_id, cluster_name, args, args_hash, expires_at)
      values (${p.userId}, ${p.username}, ${call.operationId}, ${call.clusterId}, ${call.clusterName}, ${tx.json(call.args as never)},
              ${hash}, now() + make_interval(mins => ${ttlMinutes}))
      returning id, expires_at`;
    await recordAudit(tx, {
      action: "approval.request", status: "pending", actor,
      target: { operationId: call.operationId, resourceType: "approval", resourceId: row!.id },
      cluster: { id: call.clusterId, name: call.clusterName },
    });
    return { id: row!.id, reused: false, expiresAt: row!.expires_at };
  });
}

/**
 * Whether an approved, unused, unexpired request matches this exact call (user, operation,
 * cluster, arguments). Only looks: the guard decides first, and the approval is consumed only
 * when the call is really about to run (`consumeApproval`), so a call refused for another reason
 * (edit mode off, say) does not burn the human's approval.
 */
export async function approvalMatches(sql: Db, p: Principal, id: string, call: ApprovalCall): Promise<boolean> {
  if (!APPROVAL_ID.test(id)) return false;
  const rows = await sql`
    select 1 from approval_requests
    where id = ${id} and status = 'approved' and user_id = ${p.userId} and operation_id = ${call.operationId}
      and cluster_id = ${call.clusterId} and args_hash = ${argsHash(call.args)} and expires_at > now()`;
  return rows.length === 1;
}

/**
 * Marks a matching approved request used; false when it no longer matches (used meanwhile by a
 * concurrent call, expired). One UPDATE, so of two concurrent calls exactly one wins. Callers run
 * it in the transaction that records the call's intent, so a failed intent un-uses it.
 */
export async function consumeApproval(sql: Db, p: Principal, id: string, call: ApprovalCall): Promise<boolean> {
  if (!APPROVAL_ID.test(id)) return false;
  const rows = await sql`
    update approval_requests set status = 'used'
    where id = ${id} and status = 'approved' and user_id = ${p.userId} and operation_id = ${call.operationId}
      and cluster_id = ${call.clusterId} and args_hash = ${argsHash(call.args)} and expires_at > now()
    returning id`;
  return rows.length === 1;
}

export async function decideApproval(sql: Sql, approver: Principal, id: string, approve: boolean, actor: AuditActor, note = ""): Promise<void> {
  if (!approver.permissions.has("approvals:decide")) throw new Forbidden("deciding approvals needs the approvals:decide permission");
  if (!APPROVAL_ID.test(id)) throw new Invalid(`"${id}" is not an approval id`);
  await sql.begin(async (tx) => {
    const [req] = await tx<{ user_id: string; status: string; operation_id: string; cluster_id: string; cluster_name: string; expired: boolean }[]>`
      select user_id, status, operation_id, cluster_id, cluster_name, expires_at <= now() as expired
      from approval_requests where id = ${id} for update`;
    if (!req) throw new NotFound(`approval request ${id} does not exist`);
    if (req.status !== "pending") throw new Conflict(`approval request ${id} is already ${req.status}`);
    if (req.expired) throw new Conflict(`approval request ${id} has expired; the requester must call again`);
    if (approve && req.user_id === approver.userId && !(await getApprovalSettings(tx)).allowSelfApproval) {
      throw new Forbidden("you cannot approve your own request (four eyes); another approver must decide");
    }
    await tx`update approval_requests set status = ${approve ? "approved" : "denied"}, decided_by = ${approver.username},
             decided_at = now(), decision_note = ${note} where id = ${id}`;
    await recordAudit(tx, {
      action: approve ? "approval.approve" : "approval.deny", status: "ok", actor,
      target: { operationId: req.operation_id, resourceType: "approval", resourceId: id },
      cluster: { id: req.cluster_id, name: req.cluster_name }, details: { note },
    });
  });
}

export interface ApprovalRow {
  id: string;
  user_id: string;
  username: string;
  operation_id: string;
  cluster_id: string;
  cluster_name: string;
  args: unknown;
  /** pending | approved | denied | used | expired (a pending request past its expiry reads as expired). */
  status: string;
  requested_at: Date;
  expires_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
}

const ROW = (sql: Db) => sql`id, user_id, username, operation_id, cluster_id, cluster_name, args,
  case when status in ('pending', 'approved') and expires_at <= now() then 'expired' else status end as status,
  requested_at, expires_at, decided_by, decided_at, decision_note`;

/** Requests by status: "pending" means waiting and not expired; "decided" the most recent others. */
export async function listApprovals(sql: Db, status: string = "pending", limit = 200): Promise<ApprovalRow[]> {
  if (status === "pending") {
    return sql<ApprovalRow[]>`select ${ROW(sql)} from approval_requests
      where status = 'pending' and expires_at > now() order by requested_at desc limit ${limit}`;
  }
  if (status === "decided") {
    return sql<ApprovalRow[]>`select ${ROW(sql)} from approval_requests
      where not (status = 'pending' and expires_at > now()) order by coalesce(decided_at, expires_at) desc limit ${limit}`;
  }
  if (status === "expired") {
    return sql<ApprovalRow[]>`select ${ROW(sql)} from approval_requests
      where status = 'expired' or (status in ('pending', 'approved') and expires_at <= now()) order by requested_at desc limit ${limit}`;
  }
  return sql<ApprovalRow[]>`select ${ROW(sql)} from approval_requests
    where status = ${status} and not (status in ('pending', 'approved') and expires_at <= now()) order by requested_at desc limit ${limit}`;
}

export async function getApproval(sql: Db, id: string): Promise<ApprovalRow> {
  if (!APPROVAL_ID.test(id)) throw new NotFound(`"${id.slice(0, 60)}" is not an approval request id`);
  const [row] = await sql<ApprovalRow[]>`select ${ROW(sql)} from approval_requests where id = ${id}`;
  if (!row) throw new NotFound(`approval request ${id} does not exist`);
  return row;
}

/** How many requests wait for a decision (navigation badge, dashboard). */
export async function countPendingApprovals(sql: Db): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from approval_requests where status = 'pending' and expires_at > now()`;
  return row!.n;
}
