/**
 * Human approval of individual calls. A call that needs approval creates a request bound to
 * the user, the operation, the cluster and a hash of the exact arguments; an approver decides
 * (UI or CLI); the approved request can then be used once, by the same user, for that same
 * call, before it expires. A model cannot approve its own call: deciding needs a human
 * principal with approvals:decide, and requesters cannot approve their own requests.
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
  insertApprovalRequest, markApprovalUsed, selectApprovalForUpdate, selectApprovals, selectApprovedMatch, setApprovalDecision,
  type ApprovalMatch,
} from "./approvals.sql.ts";

const TTL_MS = 60 * 60 * 1000;

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

/**
 * Files a request for this exact call. The guard has already said `needs_approval`; the caller
 * must at least be allowed to use the cluster, so nobody files requests for clusters they cannot
 * reach.
 */
export async function requestApproval(sql: Sql, caller: Caller, call: ApprovalCall): Promise<string> {
  const p = caller.principal;
  requirePermission(p, "clusters:use", { clusterId: call.clusterId });
  return sql.begin(async (tx) => {
    const id = await insertApprovalRequest(tx, {
      userId: p.userId, username: p.username, operationId: call.operationId, clusterId: call.clusterId, clusterName: call.clusterName,
      args: call.args, argsHash: argsHash(call.args), expiresAt: new Date(caller.now.getTime() + TTL_MS),
    });
    await recordAudit(tx, {
      action: "approval.request", status: "pending", caller,
      target: { operationId: call.operationId, resourceType: "approval", resourceId: id },
      cluster: { id: call.clusterId, name: call.clusterName },
    });
    return id;
  });
}

const match = (p: Principal, id: string, call: ApprovalCall): ApprovalMatch => ({
  id, userId: p.userId, operationId: call.operationId, clusterId: call.clusterId, argsHash: argsHash(call.args),
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
  if (!approver.permissions.has("approvals:decide")) throw new Forbidden("deciding approvals needs the approvals:decide permission");
  requirePermission(approver, "approvals:decide");
  if (!isUuid(id)) throw new Invalid(`"${id}" is not an approval id`);
  await sql.begin(async (tx) => {
    const req = await selectApprovalForUpdate(tx, id);
    if (!req) throw new NotFound(`approval request ${id} does not exist`);
    if (req.status !== "pending") throw new Conflict(`approval request ${id} is already ${req.status}`);
    if (req.expires_at.getTime() < caller.now.getTime()) throw new Conflict(`approval request ${id} has expired; the requester must call again`);
    if (req.user_id === approver.userId) throw new Forbidden("you cannot approve your own request; another approver must decide");
    await setApprovalDecision(tx, id, approve, callerName(caller), note);
    await recordAudit(tx, {
      action: approve ? "approval.approve" : "approval.deny", status: "ok", caller,
      target: { operationId: req.operation_id, resourceType: "approval", resourceId: id }, details: { note },
    });
  });
}

export async function listApprovals(db: Db, status = "pending") {
  return selectApprovals(db, status);
}
