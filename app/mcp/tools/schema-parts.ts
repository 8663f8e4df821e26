/**
 * Input-schema pieces several tools share, so the same argument reads the same everywhere. They
 * carry no descriptions: their meaning is said once, in the server instructions (mcp-server.ts),
 * and an error names the valid values, instead of every tool paying for the same sentence.
 */
export const CLUSTER_ARG = { type: "string" } as const;

export const PAGING_ARGS = {
  limit: { type: "integer", minimum: 1, maximum: 200 },
  offset: { type: "integer", minimum: 0 },
  fields: { type: "array", items: { type: "string" } },
} as const;
