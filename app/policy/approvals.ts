/**
 * Human approval of individual calls. A call that needs approval creates a request bound to
 * the user, the operation, the cluster and a hash of the exact arguments; an approver decides
 * (UI or CLI); the approved request can then be used once, by the same user, for that same
 * call, before it expires. A model cannot approve its own call: deciding needs a human
 * principal with approvals:decide, and requesters cannot approve their own requests.
 */
import { createHash } from "node:crypto";
import type { Sql, TransactionSql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditActor } from "../audit/audit-event.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import type { Principal } from "../identity/principal.ts";

const TTL_MS = 60 * 60 * 1000;

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

export async function requestApproval(sql: Sql, p: Principal, call: ApprovalCall, actor: AuditActor): Promise<string> {
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into approval_requests (user_id, username, operation_id, cluster_id, cluster_name, args, args_hash, expires_at)
      values (${p.userId}, ${p.username}, ${call.operationId}, ${call.clusterId}, ${call.clusterName}, ${tx.json(call.args as never)},
              ${argsHash(call.args)}, ${new Date(Date.now() + TTL_MS)})
      returning id`;
    await recordAudit(tx, {
      action: "approval.request", status: "pending", actor,
      target: { operationId: call.operationId, resourceType: "approval", resourceId: row!.id },
      cluster: { id: call.clusterId, name: call.clusterName },
    });
    return row!.id;
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
    const [req] = await tx<{ user_id: string; status: string; operation_id: string; expires_at: Date }[]>`
      select user_id, status, operation_id, expires_at from approval_requests where id = ${id} for update`;
    if (!req) throw new NotFound(`approval request ${id} does not exist`);
    if (req.status !== "pending") throw new Conflict(`approval request ${id} is already ${req.status}`);
    if (req.expires_at.getTime() < Date.now()) throw new Conflict(`approval request ${id} has expired; the requester must call again`);
    if (req.user_id === approver.userId) throw new Forbidden("you cannot approve your own request; another approver must decide");
    await tx`update approval_requests set status = ${approve ? "approved" : "denied"}, decided_by = ${approver.username},
             decided_at = now(), decision_note = ${note} where id = ${id}`;
    await recordAudit(tx, {
      action: approve ? "approval.approve" : "approval.deny", status: "ok", actor,
      target: { operationId: req.operation_id, resourceType: "approval", resourceId: id }, details: { note },
    });
  });
}

export async function listApprovals(sql: Sql, status = "pending") {
  return sql<{ id: string; username: string; operation_id: string; cluster_name: string; args: unknown; status: string; requested_at: Date; expires_at: Date }[]>`
    select id, username, operation_id, cluster_name, args, status, requested_at, expires_at
    from approval_requests where status = ${status} order by requested_at desc limit 200`;
}
