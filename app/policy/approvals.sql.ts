/** The approval_requests queries. Queries only; the rules live in approvals.ts. */
import type { Db } from "../db.ts";

export interface NewApprovalRow {
  userId: string;
  username: string;
  operationId: string;
  clusterId: string;
  clusterName: string;
  args: Record<string, unknown>;
  argsHash: string;
  expiresAt: Date;
}

export async function insertApprovalRequest(db: Db, r: NewApprovalRow): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into approval_requests (user_id, username, operation_id, cluster_id, cluster_name, args, args_hash, expires_at)
    values (${r.userId}, ${r.username}, ${r.operationId}, ${r.clusterId}, ${r.clusterName}, ${db.json(r.args as never)}, ${r.argsHash}, ${r.expiresAt})
    returning id`;
  return row!.id;
}

export interface ApprovalMatch {
  id: string;
  userId: string;
  operationId: string;
  clusterId: string;
  argsHash: string;
}

/** Whether an approved, unexpired request matches exactly. */
export async function selectApprovedMatch(db: Db, m: ApprovalMatch): Promise<boolean> {
  const rows = await db`
    select 1 from approval_requests
    where id = ${m.id} and status = 'approved' and user_id = ${m.userId} and operation_id = ${m.operationId}
      and cluster_id = ${m.clusterId} and args_hash = ${m.argsHash} and expires_at > now()`;
  return rows.length === 1;
}

/** Marks a matching approved request used; false when none matched (one UPDATE: one winner). */
export async function markApprovalUsed(db: Db, m: ApprovalMatch): Promise<boolean> {
  const rows = await db`
    update approval_requests set status = 'used'
    where id = ${m.id} and status = 'approved' and user_id = ${m.userId} and operation_id = ${m.operationId}
      and cluster_id = ${m.clusterId} and args_hash = ${m.argsHash} and expires_at > now()
    returning id`;
  return rows.length === 1;
}

export async function selectApprovalForUpdate(db: Db, id: string) {
  const [row] = await db<{ user_id: string; status: string; operation_id: string; expires_at: Date }[]>`
    select user_id, status, operation_id, expires_at from approval_requests where id = ${id} for update`;
  return row ?? null;
}

export async function setApprovalDecision(db: Db, id: string, approve: boolean, by: string, note: string): Promise<void> {
  await db`update approval_requests set status = ${approve ? "approved" : "denied"}, decided_by = ${by},
           decided_at = now(), decision_note = ${note} where id = ${id}`;
}

export async function selectApprovals(db: Db, status: string) {
  return db<{ id: string; username: string; operation_id: string; cluster_name: string; args: unknown; status: string; requested_at: Date; expires_at: Date }[]>`
    select id, username, operation_id, cluster_name, args, status, requested_at, expires_at
    from approval_requests where status = ${status} order by requested_at desc limit 200`;
}
