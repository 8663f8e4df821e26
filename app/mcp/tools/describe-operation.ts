/** describe_operation: one operation's parameters and compact schemas, from the catalog. */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { renderOperation } from "../../catalog/compact.ts";
import { toolError, type CallContext } from "../call-operation.ts";
import { asString, READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";

async function describeOperation(ctx: CallContext, id: string): Promise<CallToolResult> {
  const op = await ctx.deps.catalog.get(id);
  if (!op) return toolError(`unknown operation "${id.slice(0, 100)}"; use search_operations to find the right id.`);
  const text = renderOperation(op, { maxDescription: 80, body: { maxChars: 1500 }, response: { maxChars: 500, maxDepth: 2 } });
  return {
    content: [{ type: "text", text }],
    structuredContent: { id: op.id, method: op.method, path: op.path, risk: op.risk, parameters: op.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required, type: p.type })) },
  };
}

export const describeOperationTool: ToolDescriptor = {
  tool: {
    name: "describe_operation",
    description: "Parameters, request body and response fields of one operation id.",
    inputSchema: {
      type: "object",
      properties: { operation: { type: "string" } },
      required: ["operation"],
      additionalProperties: false,
    },
    annotations: { ...READ_ANNOTATIONS, openWorldHint: false },
  },
  risks: [],
  audit: "dispatch",
  run: (ctx, args) => describeOperation(ctx, asString(args.operation) ?? ""),
};
