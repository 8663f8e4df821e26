// Queries of the audit log (sql/0003_audit.sql). Every value is a bind parameter; columns are
// listed explicitly and mapped to camelCase here, nowhere else. Functions take `db` first and
// work on a pool or inside a caller's transaction alike.

import type { PendingQuery, Row } from "postgres";
import type { AuditDecision, AuditStatus } from "./audit-event.ts";

/** A pool or a transaction: the queries below run on either. */
export type { Db } from "../db.ts";
import type { Db } from "../db.ts";

export type AuditKind = "event" | "checkpoint";

/** One stored event. Times are exact (microseconds, UTC) so hashes and cursors never round. */
export interface AuditRecord {
  id: string;
  kind: AuditKind;
  /** ISO-8601 UTC with microseconds, e.g. 2026-11-24T10:00:00.123456Z */
  occurredAt: string;
  action: string;
  status: AuditStatus;
  userId: string | null;
  username: string | null;
  via: string | null;
  tokenName: string | null;
  clientIp: string | null;
  userAgent: string | null;
  operationId: string | null;
  operationName: string | null;
  httpMethod: string | null;
  clusterId: string | null;
  clusterName: string | null;
  resourceType: string | null;
  resourceId: string | null;
  decision: AuditDecision | null;
  reason: string | null;
  error: string | null;
  upstreamStatus: number | null;
  durationMs: number | null;
  requestId: string | null;
  callId: string | null;
  details: Record<string, unknown>;
  /** Chain position; null until sealed (normally a fraction of a second). */
  seq: string | null;
  prevHash: string | null;
  hash: string | null;
}

/** What recordAudit stores: the record without the server-assigned id, time and chain. */
export type NewAuditRow = Omit<AuditRecord, "id" | "kind" | "occurredAt" | "seq" | "prevHash" | "hash">;

export async function insertAuditEvent(db: Db, r: NewAuditRow): Promise<string> {
  const rows = await db<{ id: string }[]>`
    insert into audit_events (
      action, status, user_id, username, via, token_name, client_ip, user_agent,
      operation_id, operation_name, http_method, cluster_id, cluster_name, resource_type, resource_id,
      decision, reason, error, upstream_status, duration_ms, request_id, call_id, details)
    values (
      ${r.action}, ${r.status}, ${r.userId}, ${r.username}, ${r.via}, ${r.tokenName}, ${r.clientIp}, ${r.userAgent},
      ${r.operationId}, ${r.operationName}, ${r.httpMethod}, ${r.clusterId}, ${r.clusterName}, ${r.resourceType}, ${r.resourceId},
      ${r.decision}, ${r.reason}, ${r.error}, ${r.upstreamStatus}, ${r.durationMs}, ${r.requestId}, ${r.callId},
      ${db.json(r.details as Parameters<Db["json"]>[0])})
    returning id`;
  return rows[0]!.id;
}

const COLUMN: Record<keyof NewAuditRow, string> = {
  action: "action",
  status: "status",
  userId: "user_id",
  username: "username",
  via: "via",
  tokenName: "token_name",
  clientIp: "client_ip",
  userAgent: "user_agent",
  operationId: "operation_id",
  operationName: "operation_name",
  httpMethod: "http_method",
  clusterId: "cluster_id",
  clusterName: "cluster_name",
  resourceType: "resource_type",
  resourceId: "resource_id",
  decision: "decision",
  reason: "reason",
  error: "error",
  upstreamStatus: "upstream_status",
  durationMs: "duration_ms",
  requestId: "request_id",
  callId: "call_id",
  details: "details",
};

/**
 * Many events in one statement (one round trip, one commit): the rows travel as one JSON array
 * and PostgreSQL types them by the table's own row type. Ids follow the array's order.
 */
export async function insertAuditEvents(db: Db, rows: readonly NewAuditRow[]): Promise<void> {
  const json = rows.map((r) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [COLUMN[k as keyof NewAuditRow], v])),
  );
  await db`
    insert into audit_events (
      action, status, user_id, username, via, token_name, client_ip, user_agent,
      operation_id, operation_name, http_method, cluster_id, cluster_name, resource_type, resource_id,
      decision, reason, error, upstream_status, duration_ms, request_id, call_id, details)
    select action, status, user_id, username, via, token_name, client_ip, user_agent,
      operation_id, operation_name, http_method, cluster_id, cluster_name, resource_type, resource_id,
      decision, reason, error, upstream_status, duration_ms, request_id, call_id, coalesce(details, '{}'::jsonb)
    from jsonb_populate_recordset(null::audit_events, ${db.json(json as Parameters<Db["json"]>[0])}) with ordinality as r
    order by ordinality`;
}

/** Every column of a record, aliased to its AuditRecord name; the time as exact UTC text. */
export function recordColumns(db: Db): PendingQuery<Row[]> {
  return db`
    id, kind,
    to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as "occurredAt",
    action, status, user_id as "userId", username, via, token_name as "tokenName",
    client_ip as "clientIp", user_agent as "userAgent", operation_id as "operationId",
    operation_name as "operationName", http_method as "httpMethod", cluster_id as "clusterId",
    cluster_name as "clusterName", resource_type as "resourceType", resource_id as "resourceId",
    decision, reason, error, upstream_status as "upstreamStatus", duration_ms as "durationMs",
    request_id as "requestId", call_id as "callId", details, seq, prev_hash as "prevHash", hash`;
}

export interface ChainHead {
  seq: string;
  hash: string;
}

export async function readChainHead(db: Db): Promise<ChainHead> {
  const rows = await db<ChainHead[]>`select seq, hash from audit_chain_head`;
  return rows[0]!;
}

/** Same number as in sql/0003_audit.sql ("nmg-audit-seal"). */
export const SEAL_LOCK_ID = 7_463_003;

/** Serialises sealers (and retention) across nodes until the transaction ends. */
export async function lockChain(db: Db): Promise<void> {
  await db`select pg_advisory_xact_lock(${SEAL_LOCK_ID})`;
}

/** Committed, unsealed events in the order they will join the chain. */
export async function unsealedBatch(db: Db, limit: number): Promise<AuditRecord[]> {
  return db<AuditRecord[]>`
    select ${recordColumns(db)} from audit_events where seq is null order by id limit ${limit}`;
}

export async function applySeal(db: Db, ids: string[], hashes: string[], headSeq: string): Promise<number> {
  const rows = await db<{ sealed: number }[]>`
    select audit_seal(${ids}::bigint[], ${hashes}::text[], ${headSeq}::bigint) as sealed`;
  return rows[0]!.sealed;
}

export interface RetainOutcome {
  removed: number;
  firstSeq: string | null;
  lastSeq: string | null;
  lastHash: string | null;
  checkpointId: string | null;
}

export async function callRetain(
  db: Db,
  olderThanDays: number,
  via: string,
  username: string | null,
): Promise<RetainOutcome> {
  const rows = await db<RetainOutcome[]>`
    select removed::int as removed, first_seq as "firstSeq", last_seq as "lastSeq",
           last_hash as "lastHash", checkpoint_id as "checkpointId"
      from audit_retain(${olderThanDays}::int, ${via}, ${username})`;
  return rows[0]!;
}
