/**
 * search_operations: catalog search for the long tail. It only offers operations the principal's
 * permissions could ever run, so a viewer is not shown writes it can never make.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { SearchHit, SearchableOperation } from "../../catalog/search.ts";
import { splitWords } from "../../catalog/words.ts";
import { usableRisks } from "../../policy/risk-permissions.ts";
import { toolError, type CallContext } from "../call-operation.ts";
import { asNumber, asString, READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";

function searchLine(op: { id: string; method: string; summary: string; risk: string }): string {
  const summary = op.summary.replace(/\s+/g, " ").trim();
  return `${op.id} ${op.method} — ${summary.length > 90 ? `${summary.slice(0, 89)}…` : summary} [${op.risk}]`;
}

async function searchOperations(ctx: CallContext, query: string, limit: number | undefined): Promise<CallToolResult> {
  const words = query.trim();
  if (words.length < 2) return toolError("search_operations needs a query of at least two characters.");
  const hits = await ctx.deps.catalog.search(words, Math.min(20, Math.max(1, limit ?? 5)), {
    risks: usableRisks(ctx.principal),
  });
  if (!hits.length) {
    return {
      content: [
        {
          type: "text",
          text: `no operation matches "${words}"; try other words (e.g. the object: fabric, switch, vrf, interface, anomaly)`,
        },
      ],
      structuredContent: { matches: [] },
    };
  }
  const weak = weakMatch(hits);
  return {
    // Id, method, summary and risk are enough to choose; describe_operation gives the path.
    content: [
      { type: "text", text: [...hits.map((h) => searchLine(h.operation)), ...(weak ? [weak.note] : [])].join("\n") },
    ],
    structuredContent: {
      matches: hits.map((h) => ({
        id: h.id,
        method: h.operation.method,
        summary: h.operation.summary,
        risk: h.operation.risk,
      })),
      ...(weak ? { unmatched: weak.unmatched, suggestedWords: weak.words } : {}),
    },
  };
}

const VERBS = new Set([
  "get",
  "list",
  "all",
  "execute",
  "update",
  "create",
  "delete",
  "by",
  "id",
  "v2",
  "v3",
  "details",
  "summary",
]);

/**
 * When even the best match leaves words of the query unmatched, say so and offer the words ND
 * itself uses in the closest operations, so the next query can be better than a guess.
 */
function weakMatch(
  hits: SearchHit<SearchableOperation>[],
): { note: string; unmatched: string[]; words: string[] } | null {
  const unmatched = hits[0]?.unmatched ?? [];
  if (!unmatched.length) return null;
  const typed = new Set(unmatched.map((w) => w.toLowerCase()));
  const counts = new Map<string, number>();
  for (const h of hits.slice(0, 5)) {
    for (const w of splitWords(h.operation.operationId)) {
      if (VERBS.has(w) || typed.has(w) || w.length < 3) continue;
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  }
  const words = [...counts]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([w]) => w);
  const note = `(weak match: no operation matches ${unmatched.map((w) => `"${w}"`).join(", ")}; words ND uses nearby: ${words.join(", ") || "fabric, switch, interface, anomaly"})`;
  return { note, unmatched, words };
}

export const searchOperationsTool: ToolDescriptor = {
  tool: {
    name: "search_operations",
    description:
      'Find any ND API operation by words (e.g. "vrf attachments") when no other tool fits: best matches\' id, method, summary, risk. Then call_operation (describe_operation for its parameters).',
    inputSchema: {
      type: "object",
      properties: {
        query: { type: "string", minLength: 2, maxLength: 200 },
        limit: { type: "integer", minimum: 1, maximum: 20 },
      },
      required: ["query"],
      additionalProperties: false,
    },
    annotations: { ...READ_ANNOTATIONS, openWorldHint: false },
  },
  risks: [],
  audit: "dispatch",
  run: (ctx, args) => searchOperations(ctx, asString(args.query) ?? "", asNumber(args.limit)),
};
