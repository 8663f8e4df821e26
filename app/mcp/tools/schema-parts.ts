/** Input-schema pieces several tools share, so the same argument reads the same everywhere. */
export const CLUSTER_ARG = { type: "string", description: "Cluster name (see list_clusters); optional when you can use only one" } as const;

export const PAGING_ARGS = {
  limit: { type: "integer", minimum: 1, maximum: 200, description: "Rows to return (default 20)" },
  offset: { type: "integer", minimum: 0, description: "Rows to skip, for the next page" },
  fields: { type: "array", items: { type: "string" }, description: "Only these fields (dotted paths, e.g. management.type)" },
} as const;
