/**
 * tools/call: from a tool name and arguments to exactly one handler, for one principal.
 *
 * Guarantees: a tool the principal's tools/list does not show is refused; arguments are checked
 * against the schema that list showed before anything runs; every call leaves an audit event —
 * one here for what the gateway answers or refuses itself, or those of call-operation.ts for
 * the ND path (which audits intent and outcome itself, so it is not audited twice); a result
 * whose audit event cannot be written is withheld; an unexpected error becomes a tool error with
 * the request id, its details going to the audit row, never to the model.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/server";
import type { AuditEventInput } from "../audit/audit-event.ts";
import type { Operation } from "../catalog/operation.ts";
import { callOperation, toolError, type CallContext } from "./call-operation.ts";
import { CALL_OPERATION, CURATED_TOOLS, DESCRIBE_OPERATION, LIST_CLUSTERS, SEARCH_OPERATIONS } from "./core-tools.ts";
import { describeOperation, listClusters, searchOperations } from "./local-tools.ts";
import { argumentProblem } from "./tool-arguments.ts";

export interface Surface {
  tools: Tool[];
  /** Operations listed as tools of their own ('operations' profiles), by tool name. */
  operations: Map<string, Operation>;
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const asNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
const asStrings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined);
const asString = (v: unknown) => (typeof v === "string" ? v : undefined);

export async function dispatchTool(ctx: CallContext, name: string, rawArgs: unknown, surface: () => Promise<Surface>): Promise<CallToolResult> {
  const started = performance.now();
  const args = asRecord(rawArgs);
  const audit = (status: AuditEventInput["status"], error: string | null, result: CallToolResult) =>
    auditLocal(ctx, { status, error, durationMs: Math.round(performance.now() - started), details: { tool: name.slice(0, 200), args } }, result);
  try {
    const { tools, operations } = await surface();
    const tool = tools.find((t) => t.name === name);
    if (!tool) {
      return audit("failed", "unknown tool", toolError(`unknown tool "${name.slice(0, 100)}"; tools/list shows the tools you can use.`));
    }
    const problem = argumentProblem(tool, rawArgs ?? {});
    if (problem) return audit("failed", problem, toolError(problem));

    const local = await runLocal(ctx, name, args);
    if (local) return audit(local.isError ? "failed" : "ok", local.isError ? "tool error" : null, local);
    return await runOperation(ctx, name, args, operations);
  } catch (err) {
    const internal = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : "unknown error";
    return audit("failed", `internal: ${internal}`, toolError(`the gateway failed to run ${name.slice(0, 100)} (request ${ctx.requestId}); an administrator can look it up in the audit log.`));
  }
}

async function runLocal(ctx: CallContext, name: string, args: Record<string, unknown>): Promise<CallToolResult | null> {
  if (name === LIST_CLUSTERS.name) return listClusters(ctx);
  if (name === SEARCH_OPERATIONS.name) return searchOperations(ctx, asString(args.query) ?? "", asNumber(args.limit));
  if (name === DESCRIBE_OPERATION.name) return describeOperation(ctx, asString(args.operation) ?? "");
  return null;
}

/** Curated tools, call_operation and operation tools: all take the one call path. */
function runOperation(ctx: CallContext, name: string, args: Record<string, unknown>, operations: Map<string, Operation>): Promise<CallToolResult> {
  const paging = { fields: asStrings(args.fields), limit: asNumber(args.limit), offset: asNumber(args.offset) };
  const curated = CURATED_TOOLS.find((c) => c.tool.name === name);
  if (curated) {
    const route = curated.route(args);
    const fields = paging.fields ?? curated.defaultFields;
    return callOperation(ctx, { operationId: route.operationId, cluster: asString(args.cluster), params: route.params, ...paging, fields });
  }
  if (name === CALL_OPERATION.name) {
    return callOperation(ctx, {
      operationId: asString(args.operation)!, cluster: asString(args.cluster), params: asRecord(args.params), body: args.body, approvalId: asString(args.approvalId), ...paging,
    });
  }
  const op = operations.get(name)!;
  const { cluster, body, fields: _f, limit: _l, offset: _o, approvalId, ...params } = args;
  return callOperation(ctx, { operationId: op.id, cluster: asString(cluster), params, body, approvalId: asString(approvalId), ...paging });
}

/** The one audit event of a tool the gateway answered itself (or refused before the call path). */
async function auditLocal(ctx: CallContext, event: Pick<AuditEventInput, "status" | "error" | "durationMs" | "details">, result: CallToolResult): Promise<CallToolResult> {
  try {
    await ctx.deps.audit({ action: "mcp.call", caller: ctx, ...event });
    return result;
  } catch (err) {
    ctx.deps.auditFailed(err, ctx.requestId, "mcp.call");
    return toolError("the gateway could not write its audit log, so the result is withheld; an administrator must check the database.");
  }
}
