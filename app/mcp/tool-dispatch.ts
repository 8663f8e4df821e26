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
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { AuditEventInput } from "../audit/audit-event.ts";
import { toolError, type CallContext } from "./call-operation.ts";
import { argumentProblem } from "./tool-arguments.ts";
import { asRecord } from "./tool-descriptor.ts";
import type { Surface } from "./tool-registry.ts";

export async function dispatchTool(
  ctx: CallContext,
  name: string,
  rawArgs: unknown,
  surface: () => Promise<Surface>,
): Promise<CallToolResult> {
  const started = performance.now();
  const args = asRecord(rawArgs);
  const audit = (status: AuditEventInput["status"], error: string | null, result: CallToolResult) =>
    auditLocal(
      ctx,
      {
        status,
        error,
        durationMs: Math.round(performance.now() - started),
        details: { tool: name.slice(0, 200), args },
      },
      result,
    );
  try {
    const { tools, byName, profile } = await surface();
    const tool = tools.find((t) => t.name === name);
    const descriptor = byName.get(name);
    if (!tool || !descriptor) {
      return audit(
        "failed",
        "unknown tool",
        toolError(`unknown tool "${name.slice(0, 100)}"; tools/list shows the tools you can use.`),
      );
    }
    const problem = argumentProblem(tool, rawArgs ?? {});
    if (problem) return audit("failed", problem, toolError(problem));

    const call: CallContext = { ...ctx, profile };
    if (descriptor.audit === "call-path") return await descriptor.run(call, args);
    const result = await descriptor.run(call, args);
    return audit(result.isError ? "failed" : "ok", result.isError ? "tool error" : null, result);
  } catch (err) {
    const internal = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 300) : "unknown error";
    return audit(
      "failed",
      `internal: ${internal}`,
      toolError(
        `the gateway failed to run ${name.slice(0, 100)} (request ${ctx.requestId}); an administrator can look it up in the audit log.`,
      ),
    );
  }
}

/** The one audit event of a tool the gateway answered itself (or refused before the call path). */
async function auditLocal(
  ctx: CallContext,
  event: Pick<AuditEventInput, "status" | "error" | "durationMs" | "details">,
  result: CallToolResult,
): Promise<CallToolResult> {
  try {
    await ctx.deps.audit({ action: "mcp.call", caller: ctx, ...event });
    return result;
  } catch (err) {
    ctx.deps.auditFailed(err, ctx.requestId, "mcp.call");
    return toolError(
      "the gateway could not write its audit log, so the result is withheld; an administrator must check the database.",
    );
  }
}
