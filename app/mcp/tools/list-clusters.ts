/** list_clusters: the clusters a principal may use, answered by the gateway from its own data. */
import type { CallToolResult } from "@modelcontextprotocol/server";
import type { CallContext } from "../call-operation.ts";
import { READ_ANNOTATIONS, type ToolDescriptor } from "../tool-descriptor.ts";

async function listClusters(ctx: CallContext): Promise<CallToolResult> {
  const clusters = await ctx.deps.clustersFor(ctx.principal);
  const rows = clusters.map((c) => ({
    name: c.name,
    version: c.version ?? "unknown",
    host: new URL(c.url).host,
    tls: c.insecure ? "NOT VERIFIED" : "verified",
  }));
  const text = rows.length
    ? ["name | version | host | tls", ...rows.map((r) => `${r.name} | ${r.version} | ${r.host} | ${r.tls}`)].join("\n")
    : "no clusters; an administrator can grant you access to one";
  return { content: [{ type: "text", text }], structuredContent: { clusters: rows } };
}

export const listClustersTool: ToolDescriptor = {
  tool: {
    name: "list_clusters",
    description: "Clusters you may use: name (pass as cluster), ND version, address.",
    inputSchema: { type: "object", properties: {}, additionalProperties: false },
    annotations: { ...READ_ANNOTATIONS, openWorldHint: false },
  },
  risks: [],
  audit: "dispatch",
  run: (ctx) => listClusters(ctx),
};
