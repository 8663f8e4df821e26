/**
 * The "operation tools" profile mode: chosen catalog operations listed as individual tools,
 * each with a typed input schema built from its parameters (plus cluster, paging for reads and
 * approvalId), annotations from its risk class, and the whole list held to the profile's token
 * budget. The names cluster, body, fields, limit, offset and approvalId are the gateway's own;
 * an ND parameter of the same name is shadowed by them.
 */
import type { Tool } from "@modelcontextprotocol/server";
import { renderSchema } from "../catalog/compact-schema.ts";
import type { Operation, OperationParam } from "../catalog/operation.ts";
import { isWriteRisk } from "../policy/risk-permissions.ts";
import { callOperation } from "./call-operation.ts";
import { asString, pagingOf, type ToolDescriptor } from "./tool-descriptor.ts";

function paramSchema(p: OperationParam): Record<string, unknown> {
  const base = p.type.endsWith("[]")
    ? { type: "array", items: { type: jsonType(p.type.slice(0, -2)) } }
    : { type: jsonType(p.type) };
  return {
    ...base,
    ...(p.enum ? { enum: p.enum } : {}),
    ...(p.description ? { description: p.description.replace(/\s+/g, " ").slice(0, 120) } : {}),
  };
}

function jsonType(type: string): string {
  return ["string", "integer", "number", "boolean", "object", "array"].includes(type) ? type : "string";
}

export function operationTool(op: Operation): Tool {
  const cluster = { type: "string", description: "Cluster name; optional when you can use only one" };
  const properties: Record<string, unknown> = { cluster };
  for (const p of op.parameters) properties[p.name] = paramSchema(p);
  properties.cluster = cluster;
  if (op.requestBody && !op.requestBody.multipart) {
    properties.body = {
      type: "object",
      description: `Request body: ${renderSchema(op.requestBody.schema, op.schemas, { maxChars: 400, maxDepth: 2 })}`,
    };
  }
  if (op.method === "GET") {
    properties.fields = { type: "array", items: { type: "string" }, description: "Only these fields (dotted paths)" };
    properties.limit = { type: "integer", minimum: 1, maximum: 200 };
    properties.offset = { type: "integer", minimum: 0 };
  }
  // Any operation can fall under an approval rule, and the refusal tells the model to call again
  // with the approval's id: the schema must accept it, or the approved call could never be made.
  properties.approvalId = { type: "string", description: "Approved request id, when asked for one" };
  const required = op.parameters.filter((p) => p.required).map((p) => p.name);
  if (op.requestBody?.required && !op.requestBody.multipart) required.push("body");
  const write = isWriteRisk(op.risk);
  return {
    name: op.id,
    description: `${op.summary} (${op.method} ${op.path}; ${op.risk})`.slice(0, 300),
    inputSchema: { type: "object", properties, required, additionalProperties: false } as Tool["inputSchema"],
    annotations: {
      readOnlyHint: !write,
      destructiveHint: op.risk === "destructive",
      idempotentHint: op.idempotent,
      openWorldHint: true,
    },
  };
}

/** One operation as a tool of its own: its parameters are top-level arguments. */
export function operationToolDescriptor(op: Operation): ToolDescriptor {
  return {
    tool: operationTool(op),
    risks: [op.risk],
    audit: "call-path",
    run(ctx, args) {
      const { cluster, body, fields: _f, limit: _l, offset: _o, approvalId, ...params } = args;
      return callOperation(ctx, {
        operationId: op.id,
        cluster: asString(cluster),
        params,
        body,
        approvalId: asString(approvalId),
        ...pagingOf(args),
      });
    },
  };
}

/** Keeps tools, in order, while their JSON stays inside the budget (≈ 4 characters a token). */
export function withinBudget(tools: Tool[], budgetTokens: number): Tool[] {
  const kept: Tool[] = [];
  let used = 0;
  for (const tool of tools) {
    const cost = Math.ceil(JSON.stringify(tool).length / 4);
    if (used + cost > budgetTokens) continue;
    kept.push(tool);
    used += cost;
  }
  return kept;
}
