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
  const [row] = await db<
    {
      user_id: string;
      status: string;
      operation_id: string;
      cluster_id: string;
      cluster_name: string;
      expired: boolean;
    }[]
  >`
    select user_id, status, operation_id, cluster_id, cluster_name, expires_at <= now() as expired
    from approval_requests where id = ${id} for update`;
  return row ?? null;
}

/** Serialises request filing per call key (user, operation, cluster, arguments) until commit. */
export async function lockCallKey(db: Db, key: string): Promise<void> {
  await db`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`;
}

/** The pending, unexpired request for exactly this call, if one exists. */
export async function selectPendingMatch(
  db: Db,
  m: Omit<ApprovalMatch, "id">,
): Promise<{ id: string; expires_at: Date } | null> {
  const [row] = await db<{ id: string; expires_at: Date }[]>`
    select id, expires_at from approval_requests
    where status = 'pending' and user_id = ${m.userId} and operation_id = ${m.operationId}
      and cluster_id = ${m.clusterId} and args_hash = ${m.argsHash} and expires_at > now()
    order by requested_at desc limit 1`;
  return row ?? null;
}

export async function selectApprovalSettings(db: Db): Promise<Record<string, unknown> | null> {
  const [row] = await db<{ value: Record<string, unknown> }[]>`select value from settings where key = 'approvals'`;
  return row?.value ?? null;
}

export async function upsertApprovalSettings(db: Db, value: Record<string, unknown>, by: string): Promise<void> {
  await db`insert into settings (key, value, updated_by) values ('approvals', ${db.json(value as never)}, ${by})
           on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = excluded.updated_by`;
}

export interface ApprovalRow {
  id: string;
  user_id: string;
  username: string;
  operation_id: string;
  cluster_id: string;
  cluster_name: string;
  args: unknown;
  /** pending | approved | denied | used | expired (a pending or approved request past its expiry reads as expired). */
  status: string;
  requested_at: Date;
  expires_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_note: string | null;
}

const columns = (db: Db) => db`id, user_id, username, operation_id, cluster_id, cluster_name, args,
  case when status in ('pending', 'approved') and expires_at <= now() then 'expired' else status end as status,
  requested_at, expires_at, decided_by, decided_at, decision_note`;

export async function selectApprovalRows(db: Db, which: string, limit: number): Promise<ApprovalRow[]> {
  if (which === "pending") {
    return db<ApprovalRow[]>`select ${columns(db)} from approval_requests
      where status = 'pending' and expires_at > now() order by requested_at desc limit ${limit}`;
  }
  if (which === "decided") {
    return db<ApprovalRow[]>`select ${columns(db)} from approval_requests
      where not (status = 'pending' and expires_at > now()) order by coalesce(decided_at, expires_at) desc limit ${limit}`;
  }
  if (which === "expired") {
    return db<ApprovalRow[]>`select ${columns(db)} from approval_requests
      where status = 'expired' or (status in ('pending', 'approved') and expires_at <= now()) order by requested_at desc limit ${limit}`;
  }
  return db<ApprovalRow[]>`select ${columns(db)} from approval_requests
    where status = ${which} and not (status in ('pending', 'approved') and expires_at <= now()) order by requested_at desc limit ${limit}`;
}

export async function selectApprovalRow(db: Db, id: string): Promise<ApprovalRow | null> {
  const [row] = await db<ApprovalRow[]>`select ${columns(db)} from approval_requests where id = ${id}`;
  return row ?? null;
}

export async function countPending(db: Db): Promise<number> {
  const [row] = await db<
    { n: number }[]
  >`select count(*)::int as n from approval_requests where status = 'pending' and expires_at > now()`;
  return row!.n;
}

export async function setApprovalDecision(
  db: Db,
  id: string,
  approve: boolean,
  by: string,
  note: string,
): Promise<void> {
  await db`update approval_requests set status = ${approve ? "approved" : "denied"}, decided_by = ${by},
           decided_at = now(), decision_note = ${note} where id = ${id}`;
}
