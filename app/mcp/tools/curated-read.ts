/**
 * A curated read: a tool for a question engineers ask often, mapped onto one catalog read
 * operation. It answers through callOperation, so the guard, the audit and result shaping are
 * those of every other ND call.
 */
import type { Tool } from "@modelcontextprotocol/server";
import { callOperation } from "../call-operation.ts";
import { asString, pagingOf, READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";
import { CLUSTER_ARG } from "./schema-parts.ts";

export interface CuratedRead {
  name: string;
  description: string;
  properties: Record<string, unknown>;
  required?: string[];
  /** Picks the operation and its parameters from the tool arguments. */
  route(args: Record<string, unknown>): { operationId: string; params: Record<string, unknown> };
  /** Fields returned when the caller names none: what the description promises, nothing more. */
  defaultFields?: string[];
}

export function curatedRead(def: CuratedRead): ToolDescriptor {
  const tool: Tool = {
    name: def.name,
    description: def.description,
    inputSchema: {
      type: "object",
      properties: { cluster: CLUSTER_ARG, ...def.properties },
      ...(def.required?.length ? { required: def.required } : {}),
      additionalProperties: false,
    },
    annotations: { ...READ_ANNOTATIONS, openWorldHint: true },
  };
  return {
    tool,
    risks: ["read"],
    audit: "call-path",
    run(ctx, args) {
      const route = def.route(args);
      const paging = pagingOf(args);
      return callOperation(ctx, {
        ...route,
        cluster: asString(args.cluster),
        ...paging,
        fields: paging.fields ?? def.defaultFields,
      });
    },
  };
}

export const str = (v: unknown) => (typeof v === "string" ? v : undefined);
