/**
 * The tools the gateway answers itself, without calling ND: the clusters a principal may use,
 * catalog search and operation descriptions. Search only offers operations the principal's
 * permissions could ever run, so a viewer is not shown writes it can never make.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { renderOperation } from "../catalog/compact.ts";
import type { RiskClass } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import { toolError, type CallContext } from "./call-operation.ts";

export function usableRisks(p: Principal): RiskClass[] {
  const risks: RiskClass[] = [];
  if (p.permissions.has("mcp:read")) risks.push("read");
  if (p.permissions.has("mcp:sensitive")) risks.push("sensitive-read");
  if (p.permissions.has("mcp:write") && !p.token?.readOnly) risks.push("write", "destructive");
  return risks;
}

export async function listClusters(ctx: CallContext): Promise<CallToolResult> {
  const clusters = await ctx.deps.clustersFor(ctx.principal);
  const rows = clusters.map((c) => ({ name: c.name, version: c.version ?? "unknown", host: new URL(c.url).host, tls: c.insecure ? "NOT VERIFIED" : "verified" }));
  const text = rows.length
    ? ["name | version | host | tls", ...rows.map((r) => `${r.name} | ${r.version} | ${r.host} | ${r.tls}`)].join("\n")
    : "no clusters; an administrator can grant you access to one";
  return { content: [{ type: "text", text }], structuredContent: { clusters: rows } };
}

function searchLine(op: { id: string; method: string; summary: string; risk: string }): string {
  const summary = op.summary.replace(/\s+/g, " ").trim();
  return `${op.id} ${op.method} — ${summary.length > 90 ? `${summary.slice(0, 89)}…` : summary} [${op.risk}]`;
}

export async function searchOperations(ctx: CallContext, query: string, limit: number | undefined): Promise<CallToolResult> {
  const words = query.trim();
  if (words.length < 2) return toolError("search_operations needs a query of at least two characters.");
  const hits = await ctx.deps.catalog.search(words, Math.min(20, Math.max(1, limit ?? 5)), { risks: usableRisks(ctx.principal) });
  if (!hits.length) {
    return { content: [{ type: "text", text: `no operation matches "${words}"; try other words (e.g. the object: fabric, switch, vrf, interface, anomaly)` }], structuredContent: { matches: [] } };
  }
  return {
    // Id, method, summary and risk are enough to choose; describe_operation gives the path.
    content: [{ type: "text", text: hits.map((h) => searchLine(h.operation)).join("\n") }],
    structuredContent: { matches: hits.map((h) => ({ id: h.id, method: h.operation.method, path: h.operation.path, summary: h.operation.summary, risk: h.operation.risk })) },
  };
}

export async function describeOperation(ctx: CallContext, id: string): Promise<CallToolResult> {
  const op = await ctx.deps.catalog.get(id);
  if (!op) return toolError(`unknown operation "${id.slice(0, 100)}"; use search_operations to find the right id.`);
  const text = renderOperation(op, { maxDescription: 80, body: { maxChars: 1500 }, response: { maxChars: 500, maxDepth: 2 } });
  return {
    content: [{ type: "text", text }],
    structuredContent: { id: op.id, method: op.method, path: op.path, risk: op.risk, parameters: op.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required, type: p.type })) },
  };
}
