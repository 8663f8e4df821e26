/**
 * Human approval of individual calls. A call that needs approval creates a request bound to
 * the user, the operation, the cluster and a hash of the exact arguments; an approver decides
 * (UI or CLI); the approved request can then be used once, by the same user, for that same
 * call, before it expires. A model cannot approve its own call: deciding needs a human
 * principal with approvals:decide, and requesters cannot approve their own requests (four
 * eyes) unless the `approvals` setting explicitly allows it.
 *
 * Guarantees: identical refused calls (same user, operation, cluster, arguments) while a request
 * is pending reuse that one request — a retrying model makes one request, not many (serialised
 * per call key with a transaction-scoped advisory lock, so concurrent retries too); requests
 * expire after the configured time (default 1 h); an expired request is never approved or used.
 */
import { createHash } from "node:crypto";
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import { isUuid, type Db } from "../db.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import { requirePermission } from "../identity/authorize.ts";
import { callerName, type Caller } from "../identity/caller.ts";
import type { Principal } from "../identity/principal.ts";
import {
  countPending,
  insertApprovalRequest,
  lockCallKey,
  markApprovalUsed,
  selectApprovalForUpdate,
  selectApprovalRow,
  selectApprovalRows,
  selectApprovalSettings,
  selectApprovedMatch,
  selectPendingMatch,
  setApprovalDecision,
  upsertApprovalSettings,
  type ApprovalMatch,
  type ApprovalRow,
} from "./approvals.sql.ts";

export type { ApprovalRow } from "./approvals.sql.ts";

/** Appliance-wide approval settings (settings key 'approvals'). */
export interface ApprovalSettings {
  /** How long a request waits for a decision, and an approval stays usable. */
  ttlMinutes: number;
  /** Four eyes by default: false = nobody approves their own request. */
  allowSelfApproval: boolean;
}

export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = { ttlMinutes: 60, allowSelfApproval: false };
const MAX_TTL_MINUTES = 7 * 24 * 60;

export async function getApprovalSettings(db: Db): Promise<ApprovalSettings> {
  const v = (await selectApprovalSettings(db)) ?? {};
  return {
    ttlMinutes:
      typeof v.ttlMinutes === "number" && v.ttlMinutes > 0 ? v.ttlMinutes : DEFAULT_APPROVAL_SETTINGS.ttlMinutes,
    allowSelfApproval: v.allowSelfApproval === true,
  };
}

export async function setApprovalSettings(sql: Sql, caller: Caller, s: ApprovalSettings): Promise<void> {
  requirePermission(caller.principal, "settings:manage");
  if (!Number.isInteger(s.ttlMinutes) || s.ttlMinutes < 1 || s.ttlMinutes > MAX_TTL_MINUTES) {
    throw new Invalid(
      `the approval expiry must be a whole number of minutes between 1 and ${MAX_TTL_MINUTES} (7 days); got ${s.ttlMinutes}`,
    );
  }
  const value = { ttlMinutes: s.ttlMinutes, allowSelfApproval: s.allowSelfApproval === true };
  await sql.begin(async (tx) => {
    await upsertApprovalSettings(tx, value, callerName(caller));
    await recordAudit(tx, { action: "settings.approvals.update", status: "ok", caller, details: value });
  });
}

export interface ApprovalTicket {
  id: string;
  /** True when an identical pending request already existed and is reused. */
  reused: boolean;
  expiresAt: Date;
}

/** Canonical JSON (sorted keys) so the same arguments always hash the same. */
export function argsHash(value: unknown): string {
  const canon = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canon)
      : v && typeof v === "object"
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canon((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash("sha256")
    .update(JSON.stringify(canon(value ?? null)))
    .digest("hex");
}

export interface ApprovalCall {
  operationId: string;
  clusterId: string;
  clusterName: string;
  args: Record<string, unknown>;
}

/**
 * The pending request for this exact call: the existing one when the same user already asked for
 * the same operation, cluster and arguments and it is still pending, else a new one. The guard
 * has already said `needs_approval`; the caller must at least be allowed to use the cluster, so
 * nobody files requests for clusters they cannot reach.
 */
export async function requestApproval(sql: Sql, caller: Caller, call: ApprovalCall): Promise<ApprovalTicket> {
  const p = caller.principal;
  requirePermission(p, "clusters:use", { clusterId: call.clusterId });
  const hash = argsHash(call.args);
  return sql.begin(async (tx) => {
    await lockCallKey(tx, `approval:${p.userId}:${call.operationId}:${call.clusterId}:${hash}`);
    const existing = await selectPendingMatch(tx, {
      userId: p.userId,
      operationId: call.operationId,
      clusterId: call.clusterId,
      argsHash: hash,
    });
    if (existing) return { id: existing.id, reused: true, expiresAt: existing.expires_at };
    const { ttlMinutes } = await getApprovalSettings(tx);
    const expiresAt = new Date(caller.now.getTime() + ttlMinutes * 60_000);
    const id = await insertApprovalRequest(tx, {
      userId: p.userId,
      username: p.username,
      operationId: call.operationId,
      clusterId: call.clusterId,
      clusterName: call.clusterName,
      args: call.args,
      argsHash: hash,
      expiresAt,
    });
    await recordAudit(tx, {
      action: "approval.request",
      status: "pending",
      caller,
      target: { operationId: call.operationId, resourceType: "approval", resourceId: id },
      cluster: { id: call.clusterId, name: call.clusterName },
    });
    return { id, reused: false, expiresAt };
  });
}

const match = (p: Principal, id: string, call: ApprovalCall): ApprovalMatch => ({
  id,
  userId: p.userId,
  operationId: call.operationId,
  clusterId: call.clusterId,
  argsHash: argsHash(call.args),
});

/**
 * Whether an approved, unused, unexpired request matches this exact call (user, operation,
 * cluster, arguments). Only looks: the guard decides first, and the approval is consumed only
 * when the call is really about to run (`consumeApproval`), so a call refused for another reason
 * (edit mode off, say) does not burn the human's approval.
 */
export async function approvalMatches(db: Db, p: Principal, id: string, call: ApprovalCall): Promise<boolean> {
  return isUuid(id) && selectApprovedMatch(db, match(p, id, call));
}

/**
 * Marks a matching approved request used; false when it no longer matches (used meanwhile by a
 * concurrent call, expired). One UPDATE, so of two concurrent calls exactly one wins. Callers run
 * it in the transaction that records the call's intent, so a failed intent un-uses it. Part of
 * the MCP call path, after the guard allowed the call: it can only use up the principal's own
 * approved request.
 */
export async function consumeApproval(db: Db, p: Principal, id: string, call: ApprovalCall): Promise<boolean> {
  return isUuid(id) && markApprovalUsed(db, match(p, id, call));
}

export async function decideApproval(sql: Sql, caller: Caller, id: string, approve: boolean, note = ""): Promise<void> {
  const approver = caller.principal;
  if (!approver.permissions.has("approvals:decide"))
    throw new Forbidden("deciding approvals needs the approvals:decide permission");
  requirePermission(approver, "approvals:decide");
  if (!isUuid(id)) throw new Invalid(`"${id}" is not an approval id`);
  await sql.begin(async (tx) => {
    const req = await selectApprovalForUpdate(tx, id);
    if (!req) throw new NotFound(`approval request ${id} does not exist`);
    if (req.status !== "pending") throw new Conflict(`approval request ${id} is already ${req.status}`);
    if (req.expired) throw new Conflict(`approval request ${id} has expired; the requester must call again`);
    if (approve && req.user_id === approver.userId && !(await getApprovalSettings(tx)).allowSelfApproval) {
      throw new Forbidden("you cannot approve your own request (four eyes); another approver must decide");
    }
    await setApprovalDecision(tx, id, approve, callerName(caller), note);
    await recordAudit(tx, {
      action: approve ? "approval.approve" : "approval.deny",
      status: "ok",
      caller,
      target: { operationId: req.operation_id, resourceType: "approval", resourceId: id },
      cluster: { id: req.cluster_id, name: req.cluster_name },
      details: { note },
    });
  });
}

/** Requests by state: "pending" = waiting and not expired; "decided" = the most recent others. */
export async function listApprovals(db: Db, status = "pending", limit = 200): Promise<ApprovalRow[]> {
  return selectApprovalRows(db, status, limit);
}

export async function getApproval(db: Db, id: string): Promise<ApprovalRow> {
  if (!isUuid(id)) throw new NotFound(`"${id.slice(0, 60)}" is not an approval request id`);
  const row = await selectApprovalRow(db, id);
  if (!row) throw new NotFound(`approval request ${id} does not exist`);
  return row;
}

/** How many requests wait for a decision (dashboard, navigation). */
export async function countPendingApprovals(db: Db): Promise<number> {
  return countPending(db);
}
