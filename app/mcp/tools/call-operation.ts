/**
 * call_operation: any catalog operation by id. Described and annotated per principal: one who
 * can only read gets the read-only text and hints, so a client does not ask its user to confirm
 * every read as if it were destructive.
 */
import type { Tool } from "@modelcontextprotocol/server";
import { RISK_CLASSES } from "../../catalog/operation.ts";
import { canWrite } from "../../policy/risk-permissions.ts";
import { callOperation } from "../call-operation.ts";
import { asRecord, asString, pagingOf, READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";
import { CLUSTER_ARG, PAGING_ARGS } from "./schema-parts.ts";

const inputSchema: Tool["inputSchema"] = {
  type: "object",
  properties: {
    operation: { type: "string" },
    cluster: CLUSTER_ARG,
    params: { type: "object", description: "Path and query parameters" },
    // A schema keyword, so strict validators (the Inspector's --strict) accept it; ND bodies are
    // objects or arrays, and describe_operation shows the operation's own schema.
    body: { type: ["object", "array"], description: "Request body (describe_operation)" },
    ...PAGING_ARGS,
    approvalId: { type: "string", description: "When a call needed approval" },
  },
  required: ["operation"],
  additionalProperties: false,
};

/** call_operation for a principal who may write (role with mcp:write, token not read-only). */
export const CALL_OPERATION: Tool = {
  name: "call_operation",
  description:
    "Run one ND operation by id. Writes run only while an administrator has edit mode on, some after a human's approval.",
  inputSchema,
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

/** call_operation for a principal who can only read. */
export const CALL_OPERATION_READS: Tool = {
  ...CALL_OPERATION,
  description: "Run one ND read operation by id (your access allows reads only).",
  annotations: { ...READ_ANNOTATIONS, openWorldHint: true },
};

export const callOperationTool: ToolDescriptor = {
  tool: (p) => (canWrite(p) ? CALL_OPERATION : CALL_OPERATION_READS),
  risks: RISK_CLASSES,
  audit: "call-path",
  run: (ctx, args) =>
    callOperation(ctx, {
      operationId: asString(args.operation)!,
      cluster: asString(args.cluster),
      params: asRecord(args.params),
      body: args.body,
      approvalId: asString(args.approvalId),
      ...pagingOf(args),
    }),
};
