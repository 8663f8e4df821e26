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
    operation: { type: "string", description: "Operation id from search_operations" },
    cluster: CLUSTER_ARG,
    params: { type: "object", description: "Path and query parameters by name", additionalProperties: true },
    body: { description: "JSON request body, for operations that take one" },
    ...PAGING_ARGS,
    approvalId: { type: "string", description: "Id of an approved request, when the call needed approval" },
  },
  required: ["operation"],
  additionalProperties: false,
};

/** call_operation for a principal who may write (role with mcp:write, token not read-only). */
export const CALL_OPERATION: Tool = {
  name: "call_operation",
  title: "Call an ND operation",
  description:
    "Run one operation by id with its parameters. Reads are allowed by your role; writes run only when an administrator has enabled edit mode (and may need approval). Results are paged and trimmed: use fields, limit, offset.",
  inputSchema,
  annotations: { title: "Call an ND operation", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

/** call_operation for a principal who can only read. */
export const CALL_OPERATION_READS: Tool = {
  ...CALL_OPERATION,
  description: "Run one read operation by id with its parameters (your role or token allows reads only). Results are paged and trimmed: use fields, limit, offset.",
  annotations: { title: "Call an ND operation", ...READ_ANNOTATIONS, openWorldHint: true },
};

export const callOperationTool: ToolDescriptor = {
  tool: (p) => (canWrite(p) ? CALL_OPERATION : CALL_OPERATION_READS),
  risks: RISK_CLASSES,
  audit: "call-path",
  run: (ctx, args) =>
    callOperation(ctx, {
      operationId: asString(args.operation)!, cluster: asString(args.cluster), params: asRecord(args.params), body: args.body,
      approvalId: asString(args.approvalId), ...pagingOf(args),
    }),
};
