/**
 * One MCP tool, whole: what tools/list shows (name, title, description, input schema,
 * annotations), the risk classes it can reach (so it is listed only to principals who may use
 * one of them) and its handler. Every tool — gateway-answered, curated, call_operation and the
 * operation tools of an 'operations' profile — is one of these, registered in tool-registry.ts.
 */
import type { CallToolResult, Tool } from "@modelcontextprotocol/server";
import type { RiskClass } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import type { CallContext } from "./call-operation.ts";

export interface ToolDescriptor {
  /** The tools/list entry, or a function of the principal when its text or annotations depend on what it may do. */
  tool: Tool | ((principal: Principal) => Tool);
  /**
   * Risk classes the tool's calls can have. Listed when the principal may use at least one
   * (app/policy/risk-permissions.ts); empty for tools the gateway answers from its own data.
   * The guard still decides every ND call: this only keeps tools that always refuse off the list.
   */
  risks: readonly RiskClass[];
  /**
   * "dispatch": the gateway answers itself and tool-dispatch.ts writes its one audit event;
   * "call-path": the tool goes through callOperation, which audits intent and outcome itself.
   */
  audit: "dispatch" | "call-path";
  /** Runs the call; arguments were already checked against the input schema. */
  run(ctx: CallContext, args: Record<string, unknown>): Promise<CallToolResult>;
}

export function toolOf(d: ToolDescriptor, principal: Principal): Tool {
  return typeof d.tool === "function" ? d.tool(principal) : d.tool;
}

export const asRecord = (v: unknown): Record<string, unknown> =>
  v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
export const asNumber = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
export const asStrings = (v: unknown) =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : undefined;
export const asString = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The gateway's paging arguments, as every call-path tool reads them. */
export function pagingOf(args: Record<string, unknown>) {
  return { fields: asStrings(args.fields), limit: asNumber(args.limit), offset: asNumber(args.offset) };
}

/** A read: the spec gives destructive and idempotent hints meaning only when readOnlyHint is false. */
export const READ_ANNOTATIONS = { readOnlyHint: true } as const;
