/**
 * One ND operation call on behalf of a principal — the path every tool takes.
 *
 * Guarantees: nothing reaches ND before the guard allowed it; every call — allowed, denied or
 * failed — leaves an audit event; a write's intent is recorded before ND is called and its
 * outcome after, and if the intent cannot be recorded the write is not attempted (fail closed);
 * a read whose audit event cannot be written is not returned. Failures come back as tool
 * errors that say what happened and what a human can do, never as exceptions.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { AuditActor, AuditEventInput } from "../audit/audit-event.ts";
import { recordAudit } from "../audit/audit-log.ts";
import type { Operation } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import { consumeApproval, requestApproval } from "../policy/approvals.ts";
import { decide, isWriteRisk, type ClusterRef } from "../policy/guard.ts";
import { loadPolicySnapshot, loadToolProfile } from "../policy/policy.sql.ts";
import type { ClusterChoice, McpDeps } from "./mcp-deps.ts";
import { ArgumentProblem, pagesUpstream, splitArgs } from "./operation-args.ts";
import { shapeResponse } from "./shape.ts";

export interface CallContext {
  deps: McpDeps;
  principal: Principal;
  actor: AuditActor;
  requestId: string;
  tool: string;
  signal?: AbortSignal;
}

export interface CallRequest {
  operationId: string;
  cluster?: string;
  params: Record<string, unknown>;
  body?: unknown;
  fields?: string[];
  limit?: number;
  offset?: number;
  approvalId?: string;
}

export function toolError(text: string, extra: Record<string, unknown> = {}): CallToolResult {
  return { content: [{ type: "text", text }], structuredContent: { error: text, ...extra }, isError: true };
}

export async function pickCluster(deps: McpDeps, p: Principal, name?: string): Promise<ClusterChoice | string> {
  const clusters = await deps.clustersFor(p);
  if (!clusters.length) return "you have no cluster you may use; an administrator can grant access to one.";
  if (name) {
    const found = clusters.find((c) => c.name === name) ?? clusters.find((c) => c.name.toLowerCase() === name.toLowerCase());
    return found ?? `unknown cluster "${name}"; clusters you may use: ${clusters.map((c) => c.name).join(", ")}`;
  }
  if (clusters.length === 1) return clusters[0]!;
  return `several clusters are available; pass cluster = one of ${clusters.map((c) => c.name).join(", ")}`;
}

export async function callOperation(ctx: CallContext, req: CallRequest): Promise<CallToolResult> {
  const { deps, principal } = ctx;
  const started = performance.now();
  const op = await deps.catalog.get(req.operationId);
  const base: AuditEventInput = {
    action: "mcp.call", status: "denied", actor: ctx.actor, requestId: ctx.requestId,
    target: { operationId: req.operationId, operationName: op?.summary ?? null, method: op?.method ?? null },
    details: { tool: ctx.tool, params: req.params, ...(req.body !== undefined ? { body: req.body } : {}) },
  };
  const audited = async (event: Partial<AuditEventInput>, result: CallToolResult): Promise<CallToolResult> => {
    try {
      await recordAudit(deps.sql, { ...base, durationMs: Math.round(performance.now() - started), ...event });
      return result;
    } catch {
      return toolError("the gateway could not write its audit log, so the result is withheld; an administrator must check the database.");
    }
  };

  if (!op) {
    return audited({ status: "failed", error: "unknown operation" }, toolError(`unknown operation "${req.operationId}"; use search_operations to find the right id.`));
  }
  const cluster = await pickCluster(deps, principal, req.cluster);
  if (typeof cluster === "string") return audited({ status: "denied", decision: "deny", reason: cluster }, toolError(cluster));
  const clusterRef: ClusterRef = { id: cluster.id, name: cluster.name };
  base.cluster = clusterRef;

  if (op.requestBody?.multipart) {
    return audited({ status: "failed", error: "multipart" }, toolError(`${op.id} uploads a file (multipart); file uploads cannot be made through MCP. Use the Nexus Dashboard UI.`));
  }
  let split;
  try {
    split = splitArgs(op, req.params);
  } catch (err) {
    if (!(err instanceof ArgumentProblem)) throw err;
    return audited({ status: "failed", error: err.message }, toolError(`${err.message}. describe_operation shows the parameters.`));
  }

  const [policy, profile] = await Promise.all([loadPolicySnapshot(deps.sql), loadToolProfile(deps.sql, principal.toolProfile)]);
  const approvalCall = { operationId: op.id, clusterId: cluster.id, clusterName: cluster.name, args: { params: req.params, body: req.body ?? null } };
  const approved = req.approvalId ? await consumeApproval(deps.sql, principal, req.approvalId, approvalCall) : false;
  const decision = decide({ principal, operation: op, args: req.params, cluster: clusterRef, policy, profile, approved });
  const decided = { decision: decision.effect, reason: decision.reason };

  if (decision.effect === "deny") return audited({ ...decided, status: "denied" }, toolError(`refused: ${decision.reason}`, { check: decision.check }));
  if (decision.effect === "needs_approval") {
    const id = await requestApproval(deps.sql, principal, approvalCall, ctx.actor);
    const text = `${decision.reason} Approval request ${id} was created. Ask an approver to approve it (Approvals page, or: bun run cli approvals approve ${id}); then call again with the same arguments and approvalId="${id}".`;
    return audited({ ...decided, status: "pending" }, toolError(text, { approvalId: id }));
  }

  const write = isWriteRisk(op.risk);
  const callId = crypto.randomUUID();
  if (write) {
    try {
      await recordAudit(deps.sql, { ...base, ...decided, status: "pending", callId, details: { ...base.details, phase: "intent" } });
    } catch {
      return toolError("refused: the gateway could not record the intent of this write in its audit log, so it did not call Nexus Dashboard (fail closed).");
    }
  }
  return execute(ctx, op, cluster, req, split, { base: { ...base, ...decided, callId: write ? callId : null }, started, audited });
}

interface ExecState {
  base: AuditEventInput;
  started: number;
  audited: (event: Partial<AuditEventInput>, result: CallToolResult) => Promise<CallToolResult>;
}

async function execute(
  ctx: CallContext,
  op: Operation,
  cluster: ClusterChoice,
  req: CallRequest,
  split: ReturnType<typeof splitArgs>,
  state: ExecState,
): Promise<CallToolResult> {
  const { deps } = ctx;
  const limit = Math.min(Math.max(1, req.limit ?? deps.limits.defaultLimit), deps.limits.maxLimit);
  const offset = Math.max(0, req.offset ?? 0);
  const upstreamPaged = op.method === "GET" && pagesUpstream(op) && split.query.max === undefined && split.query.offset === undefined;
  if (upstreamPaged) {
    split.query.max = String(limit);
    split.query.offset = String(offset);
  }
  let result;
  try {
    result = await deps.ndRequest(cluster.id, {
      method: op.method, path: op.path, pathParams: split.pathParams, query: split.query, headers: split.headers,
      body: req.body, idempotent: op.idempotent, signal: ctx.signal,
    });
  } catch (err) {
    const failure = deps.ndFailure(err);
    if (!failure) throw err;
    const text = `Nexus Dashboard call failed (${failure.kind}${failure.status ? `, HTTP ${failure.status}` : ""}): ${failure.message}`;
    const unsure = isWriteRisk(op.risk) && (failure.kind === "timeout" || failure.kind === "unreachable")
      ? " The write may or may not have been applied; check its state before retrying." : "";
    return state.audited({ ...state.base, status: "failed", error: failure.message, upstreamStatus: failure.status ?? null }, toolError(text + unsure, { kind: failure.kind }));
  }
  const shaped = shapeResponse(result.body, {
    fields: req.fields, limit, offset, upstreamPaged, maxChars: deps.limits.maxChars, maxString: deps.limits.maxString, secretFields: op.secretFields,
  });
  const header = `${op.id} on ${cluster.name} → HTTP ${result.status}`;
  const outcome: CallToolResult = {
    content: [{ type: "text", text: `${header}\n${shaped.text}` }],
    structuredContent: { operation: op.id, cluster: cluster.name, status: result.status, ...shaped.structured },
  };
  return state.audited({ ...state.base, status: "ok", upstreamStatus: result.status, details: { ...state.base.details, phase: "outcome" } }, outcome);
}
