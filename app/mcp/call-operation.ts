/**
 * One ND operation call on behalf of a principal — the path every tool takes.
 *
 * Guarantees: nothing reaches ND before the guard allowed it; every call — allowed, denied or
 * failed — leaves an audit event; a write's intent is recorded before ND is called and its
 * outcome after, and if the intent cannot be recorded the write is not attempted (fail closed);
 * a read whose audit event cannot be written is not returned. An approval is consumed only by
 * the call it allowed, in the same transaction as that call's intent, so it is used at most
 * once and never wasted on a call refused for another reason. Failures come back as tool
 * errors that say what happened and what a human can do; errors that are not ND's say only
 * that the gateway failed (details go to the audit row, never to the model).
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { AuditEventInput } from "../audit/audit-event.ts";
import type { Caller } from "../identity/caller.ts";
import { recordAudit } from "../audit/audit-log.ts";
import type { Operation } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import { approvalMatches, consumeApproval, requestApproval, type ApprovalCall } from "../policy/approvals.ts";
import { decide, type ClusterRef, type ToolProfile } from "../policy/guard.ts";
import { isWriteRisk } from "../policy/risk-permissions.ts";
import type { ClusterChoice, McpDeps } from "./mcp-deps.ts";
import { ArgumentProblem, pagesUpstream, splitArgs } from "./operation-args.ts";
import { shapedResult, unknownOperation } from "./operation-result.ts";

/** One tool call: the MCP Caller (principal, actor, request id, clock) plus what the call needs. */
export interface CallContext extends Caller {
  deps: McpDeps;
  tool: string;
  signal?: AbortSignal;
  /** The principal's tool profile when the caller loaded it already (tools/call does); else loaded here. */
  profile?: ToolProfile | null;
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
    const found =
      clusters.find((c) => c.name === name) ?? clusters.find((c) => c.name.toLowerCase() === name.toLowerCase());
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
    action: "mcp.call",
    status: "denied",
    caller: ctx,
    target: { operationId: req.operationId, operationName: op?.summary ?? null, method: op?.method ?? null },
    details: { tool: ctx.tool, params: req.params, ...(req.body !== undefined ? { body: req.body } : {}) },
  };
  const audited = auditedResult(deps, base, started);

  if (!op) {
    return audited(
      { status: "failed", error: "unknown operation" },
      toolError(await unknownOperation(deps, principal, req.operationId)),
    );
  }
  const cluster = await pickCluster(deps, principal, req.cluster);
  if (typeof cluster === "string")
    return audited({ status: "denied", decision: "deny", reason: cluster }, toolError(cluster));
  const clusterRef: ClusterRef = { id: cluster.id, name: cluster.name };
  base.cluster = clusterRef;

  if (op.requestBody?.multipart) {
    return audited(
      { status: "failed", error: "multipart" },
      toolError(
        `${op.id} uploads a file (multipart); file uploads cannot be made through MCP. Use the Nexus Dashboard UI.`,
      ),
    );
  }
  if (req.body !== undefined && !op.requestBody) {
    const problem = `${op.id} takes no request body; pass its parameters in params`;
    return audited(
      { status: "failed", error: problem },
      toolError(`${problem}. describe_operation shows the parameters.`),
    );
  }
  let split;
  try {
    split = splitArgs(op, req.params);
  } catch (err) {
    if (!(err instanceof ArgumentProblem)) throw err;
    return audited(
      { status: "failed", error: err.message },
      toolError(`${err.message}. describe_operation shows the parameters.`),
    );
  }

  const [policy, profile] = await Promise.all([
    deps.policy(),
    ctx.profile !== undefined ? ctx.profile : deps.toolProfile(principal.toolProfile),
  ]);
  const approvalCall: ApprovalCall = {
    operationId: op.id,
    clusterId: cluster.id,
    clusterName: cluster.name,
    args: { params: req.params, body: req.body ?? null },
  };
  const presented = req.approvalId ? await approvalMatches(deps.sql, principal, req.approvalId, approvalCall) : false;
  const decision = decide({
    principal,
    operation: op,
    args: req.params,
    cluster: clusterRef,
    policy,
    profile,
    approved: presented,
  });
  const decided = { decision: decision.effect, reason: decision.reason };

  if (decision.effect === "deny")
    return audited(
      { ...decided, status: "denied" },
      toolError(`refused: ${decision.reason}`, { check: decision.check }),
    );
  if (decision.effect === "needs_approval") {
    const ticket = await requestApproval(deps.sql, ctx, approvalCall);
    const id = ticket.id;
    const mismatch =
      req.approvalId && req.approvalId !== id
        ? ` The approvalId you passed (${req.approvalId.slice(0, 40)}) does not allow this call: it is not approved yet, was used already, has expired, or was for other arguments.`
        : "";
    const link = deps.approvalUrl(id);
    const state = ticket.reused
      ? `Approval request ${id} for this exact call is still waiting for a human's decision (no new request was made).`
      : `Approval request ${id} was created.`;
    const text = `${decision.reason}${mismatch} ${state} Ask the user to have an approver open ${link} and approve it (expires ${ticket.expiresAt.toISOString()}); then call again with the same arguments and approvalId="${id}".`;
    return audited(
      {
        ...decided,
        status: "pending",
        details: { ...base.details, approvalRequest: id, ...(ticket.reused ? { approvalReused: true } : {}) },
      },
      toolError(text, { approvalId: id, approvalUrl: link }),
    );
  }

  const write = isWriteRisk(op.risk);
  const byApproval = decision.check === "approval";
  const callId = write ? crypto.randomUUID() : null;
  if (write || byApproval) {
    const intent: AuditEventInput | null = write
      ? { ...base, ...decided, status: "pending", callId, details: { ...base.details, phase: "intent" } }
      : null;
    const claimed = await claimBeforeCalling(deps, ctx.requestId, {
      principal,
      approvalId: byApproval ? req.approvalId! : null,
      approvalCall,
      intent,
    });
    if (claimed === "approval-gone") {
      const reason =
        "the approval was used by another call a moment ago (an approval allows exactly one call); request a new one.";
      return audited(
        { status: "denied", decision: "deny", reason },
        toolError(`refused: ${reason}`, { check: "approval" }),
      );
    }
    if (claimed === "audit-failed") {
      return toolError(
        "refused: the gateway could not record the intent of this call in its audit log, so it did not call Nexus Dashboard (fail closed). An administrator must check the database.",
      );
    }
  }
  return execute(ctx, op, cluster, req, split, { base: { ...base, ...decided, callId }, started, audited, write });
}

type Audited = (event: Partial<AuditEventInput>, result: CallToolResult, failure?: string) => Promise<CallToolResult>;

/**
 * Records the call's audit event, then returns its result. When the event cannot be written the
 * result is withheld (a model never sees what the audit does not show); `failure` then says what
 * the human must know — for a write that already ran, that it ran.
 */
function auditedResult(deps: McpDeps, base: AuditEventInput, started: number): Audited {
  return async (event, result, failure) => {
    try {
      await deps.audit({ ...base, durationMs: Math.round(performance.now() - started), ...event });
      return result;
    } catch (err) {
      deps.auditFailed(err, base.requestId ?? "", base.action);
      return toolError(
        failure ??
          "the gateway could not write its audit log, so the result is withheld; an administrator must check the database.",
      );
    }
  };
}

interface Claim {
  principal: Principal;
  /** Approval to mark used, when the guard allowed the call because of it. */
  approvalId: string | null;
  approvalCall: ApprovalCall;
  /** A write's intent event, recorded before ND is called. */
  intent: AuditEventInput | null;
}

/**
 * One transaction for what must hold before ND is called: the approval is consumed (exactly
 * once, even against a concurrent call) and a write's intent is on record. Either both commit
 * or neither does, so an intent that cannot be written leaves the approval unused.
 */
async function claimBeforeCalling(
  deps: McpDeps,
  requestId: string,
  claim: Claim,
): Promise<"ok" | "approval-gone" | "audit-failed"> {
  const gone = new Error("approval gone");
  try {
    await deps.sql.begin(async (tx) => {
      if (claim.approvalId && !(await consumeApproval(tx, claim.principal, claim.approvalId, claim.approvalCall)))
        throw gone;
      if (claim.intent) await recordAudit(tx, claim.intent);
    });
    return "ok";
  } catch (err) {
    if (err === gone) return "approval-gone";
    deps.auditFailed(err, requestId, "mcp.call intent");
    return "audit-failed";
  }
}

interface ExecState {
  base: AuditEventInput;
  started: number;
  audited: Audited;
  write: boolean;
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
  const upstreamPaged =
    op.method === "GET" && pagesUpstream(op) && split.query.max === undefined && split.query.offset === undefined;
  if (upstreamPaged) {
    split.query.max = String(limit);
    split.query.offset = String(offset);
  }
  let result;
  try {
    result = await deps.ndRequest(cluster.id, {
      method: op.method,
      path: op.path,
      pathParams: split.pathParams,
      query: split.query,
      headers: split.headers,
      body: req.body,
      idempotent: op.idempotent,
      signal: ctx.signal,
    });
  } catch (err) {
    return state.audited(...failedCall(deps, err, state));
  }
  const outcome = shapedResult(op, cluster.name, result, req, { limit, offset, upstreamPaged }, deps.limits);
  const unrecorded = state.write
    ? `Nexus Dashboard ran ${op.id} on ${cluster.name} (HTTP ${result.status}), but the gateway could not record the outcome in its audit log, so the result is withheld. The change WAS made; an administrator must check the database.`
    : undefined;
  return state.audited(
    {
      ...state.base,
      status: "ok",
      upstreamStatus: result.status,
      details: { ...state.base.details, phase: "outcome" },
    },
    outcome,
    unrecorded,
  );
}

/**
 * The audit event and tool error of a call ND did not complete; unexpected errors say only that.
 * A write whose outcome cannot be known (the request may have reached ND: a timeout after it
 * left, a connection broken mid-call, an abort) is recorded as `unknown`, never `failed`, and
 * the text tells the human to check ND — once.
 */
function failedCall(deps: McpDeps, err: unknown, state: ExecState): Parameters<Audited> {
  const failure = deps.ndFailure(err);
  const base = { ...state.base, details: { ...state.base.details, phase: "outcome" } };
  const unsure = " The write may or may not have been applied; check it on Nexus Dashboard before retrying.";
  if (!failure) {
    // Not an ND failure: a bug or an abort. Its message is for administrators (the audit row,
    // redacted there), never for the model.
    const internal = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : "unknown error";
    const status = state.write ? "unknown" : "failed";
    return [
      { ...base, status, error: `internal: ${internal}` },
      toolError(
        `the gateway failed while calling Nexus Dashboard (request ${state.base.requestId}).${state.write ? unsure : ""}`,
        { kind: "internal" },
      ),
    ];
  }
  // The status is said once, here: the ND client's message may carry it too ("… (HTTP 404): …").
  const message = failure.status ? failure.message.replace(` (HTTP ${failure.status})`, "") : failure.message;
  const text = `Nexus Dashboard call failed (${failure.kind}${failure.status ? `, HTTP ${failure.status}` : ""}): ${message}`;
  const unknown = state.write && failure.outcomeUnknown === true;
  // ND's error text already carries the warning when its client flagged the outcome unknown.
  const warning = unknown && !/may or may not have been applied/.test(failure.message) ? unsure : "";
  return [
    { ...base, status: unknown ? "unknown" : "failed", error: failure.message, upstreamStatus: failure.status ?? null },
    toolError(text + warning, { kind: failure.kind }),
  ];
}
