/**
 * What the model gets back from one ND operation: the shaped answer as text, and a small
 * structuredContent envelope.
 *
 * Text vs structuredContent (docs/decisions.md): the text carries the whole answer, because
 * that is what clients hand to the model (Claude Desktop, mcp-remote's hosts, and clients that
 * forward either channel but never both); structuredContent carries only facts a program needs
 * to page or branch (operation, cluster, status, returned/total/nextOffset, what was left out),
 * never the rows again, so a client that forwards both does not pay for the answer twice. We
 * declare no outputSchema, so the spec asks for nothing more.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { Operation } from "../catalog/operation.ts";
import { rowShape } from "../catalog/row-fields.ts";
import { closest } from "../catalog/did-you-mean.ts";
import type { Principal } from "../identity/principal.ts";
import { usableRisks } from "../policy/risk-permissions.ts";
import type { McpDeps, NdResult, ResultLimits } from "./mcp-deps.ts";
import { shapeResponse } from "./shape.ts";

export interface Paging {
  limit: number;
  offset: number;
  upstreamPaged: boolean;
}

interface ShapeRequest {
  params: Record<string, unknown>;
  fields?: string[];
}

/** `ndfc.listVrfs` → "vrfs", `analyze.getAnomalyDetails` → "anomalyDetails": a name for a bare array. */
export function rowLabel(op: Pick<Operation, "operationId">): string {
  const name = op.operationId.replace(/^(list|get|fetch|retrieve|show|query)(?=[A-Z])/, "");
  return name ? name[0]!.toLowerCase() + name.slice(1) : "rows";
}

export function shapedResult(
  op: Operation,
  cluster: string,
  result: NdResult,
  req: ShapeRequest,
  paging: Paging,
  limits: ResultLimits,
): CallToolResult {
  const shape = rowShape(op);
  const shaped = shapeResponse(result.body, {
    fields: req.fields,
    ...paging,
    maxChars: limits.maxChars,
    maxString: limits.maxString,
    secretFields: op.secretFields,
    label: rowLabel(op),
    knownFields: shape?.fields,
  });
  let text = shaped.text;
  const filterNote = shaped.rows?.length === 0 ? unknownFilterFields(req.params.filter, shape?.fields ?? []) : null;
  if (filterNote) text += `\n(${filterNote})`;
  // HTTP 200 is the normal case and says nothing; anything else (201, 202, 207) is news.
  if (result.status !== 200) text = `HTTP ${result.status}\n${text}`;
  return {
    content: [{ type: "text", text }],
    structuredContent: {
      operation: op.id,
      cluster,
      status: result.status,
      ...shaped.meta,
      ...(filterNote ? { filterNote } : {}),
    },
  };
}

/**
 * A filter that names a field the rows do not have matches nothing, silently ("none of 0").
 * When nothing matched, say which filter fields the response schema does not know.
 */
export function unknownFilterFields(filter: unknown, known: readonly string[]): string | null {
  if (typeof filter !== "string" || !known.length) return null;
  const named = [...filter.matchAll(/(?:^|[\s(!+-])([A-Za-z_][\w.]*):/g)].map((m) => m[1]!);
  const knownSet = new Set(known.map((k) => k.toLowerCase()));
  const unknown = [...new Set(named)].filter((f) => !knownSet.has(f.toLowerCase()));
  if (!unknown.length) return null;
  const parts = unknown.map((f) => {
    const near = closest(f, known, 2);
    return `${f}${near.length ? ` (did you mean ${near.join(" or ")}?)` : ""}`;
  });
  return `no rows, and the filter names field${unknown.length > 1 ? "s" : ""} these rows do not have: ${parts.join(", ")}`;
}

/** The message for an operation id the catalog does not have, with the closest ids. */
export async function unknownOperation(deps: McpDeps, principal: Principal, id: string): Promise<string> {
  const typed = id.slice(0, 100);
  const near = typed ? await deps.catalog.suggest(typed, { risks: usableRisks(principal) }) : [];
  return near.length
    ? `unknown operation "${typed}"; did you mean ${near.join(", ")}? (search_operations finds others)`
    : `unknown operation "${typed}"; use search_operations to find the right id.`;
}
