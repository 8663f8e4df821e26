/**
 * describe_operation: one operation's parameters and compact schemas, from the catalog. What
 * the compact schemas leave out is named (part and field names) with the way to get it: the
 * same tool with `part`, which renders one part of the body or response in full.
 */
import type { CallToolResult } from "@modelcontextprotocol/server";
import { cutNotes, renderOperation } from "../../catalog/compact.ts";
import { renderSchemaWithCuts, schemaAt } from "../../catalog/compact-schema.ts";
import type { Operation } from "../../catalog/operation.ts";
import { toolError, type CallContext } from "../call-operation.ts";
import { unknownOperation } from "../operation-result.ts";
import { asString, READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";

const partHint = (id: string) => (part: string) =>
  `(describe_operation operation="${id}" part="${part}" shows one part in full)`;

async function describeOperation(ctx: CallContext, id: string, part: string | undefined): Promise<CallToolResult> {
  const op = await ctx.deps.catalog.get(id);
  if (!op) return toolError(await unknownOperation(ctx.deps, ctx.principal, id));
  const text = part
    ? describePart(op, part)
    : renderOperation(op, {
        maxDescription: 120,
        body: { maxChars: 1500 },
        response: { maxChars: 700, maxDepth: 2 },
        partHint: partHint(op.id),
      });
  if (text === null) {
    return toolError(
      `${op.id} has no part "${part!.slice(0, 100)}"; parts start with body or response and follow the field names describe_operation shows (e.g. response.fabrics.management).`,
    );
  }
  return {
    content: [{ type: "text", text }],
    structuredContent: {
      id: op.id,
      method: op.method,
      path: op.path,
      risk: op.risk,
      parameters: op.parameters.map((p) => ({ name: p.name, in: p.in, required: p.required, type: p.type })),
    },
  };
}

function describePart(op: Operation, part: string): string | null {
  const [root, ...rest] = part.split(".");
  const schema = root === "body" ? op.requestBody?.schema : root === "response" ? op.response?.schema : undefined;
  const at = schema ? (rest.length ? schemaAt(schema, op.schemas, rest.join(".")) : schema) : null;
  if (!at) return null;
  const rendered = renderSchemaWithCuts(at, op.schemas, { maxChars: 2500, maxDepth: 3, maxEnum: 40 });
  const cuts = rendered.cuts.map((c) => ({ ...c, path: c.path ? `${part}.${c.path}` : part }));
  return [`${op.id} ${part}:`, `  ${rendered.text}`, ...cutNotes(cuts, partHint(op.id))].join("\n");
}

export const describeOperationTool: ToolDescriptor = {
  tool: {
    name: "describe_operation",
    description: "Parameters, body and response fields of an operation id (part: one in full).",
    inputSchema: {
      type: "object",
      properties: { operation: { type: "string" }, part: { type: "string" } },
      required: ["operation"],
      additionalProperties: false,
    },
    annotations: { ...READ_ANNOTATIONS, openWorldHint: false },
  },
  risks: [],
  audit: "dispatch",
  run: (ctx, args) => describeOperation(ctx, asString(args.operation) ?? "", asString(args.part)),
};
