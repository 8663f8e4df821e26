/**
 * The tools models see by default: a few curated reads for what engineers ask most, plus
 * search → describe → call for the long tail. Descriptions say what comes back and when to use
 * the tool; schemas are small. tools/list snapshots (test/mcp/snapshots) make every change to
 * this surface visible in review.
 */
import type { Tool } from "@modelcontextprotocol/server";

/** How a curated tool maps its arguments onto one catalog operation. */
export interface CuratedTool {
  tool: Tool;
  /** Picks the operation and its parameters from the tool arguments. */
  route(args: Record<string, unknown>): { operationId: string; params: Record<string, unknown> };
  /** Fields returned when the caller names none: what the description promises, nothing more. */
  defaultFields?: string[];
}

const cluster = { type: "string", description: "Cluster name (see list_clusters); optional when you can use only one" } as const;
const paging = {
  limit: { type: "integer", minimum: 1, maximum: 200, description: "Rows to return (default 20)" },
  offset: { type: "integer", minimum: 0, description: "Rows to skip, for the next page" },
  fields: { type: "array", items: { type: "string" }, description: "Only these fields (dotted paths, e.g. management.type)" },
} as const;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true } as const;

function readTool(name: string, title: string, description: string, properties: Record<string, unknown>, required: string[] = []): Tool {
  return {
    name,
    title,
    description,
    inputSchema: { type: "object", properties: { cluster, ...properties }, required, additionalProperties: false },
    annotations: { title, ...READ },
  };
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

export const CURATED_TOOLS: CuratedTool[] = [
  {
    tool: readTool("list_fabrics", "List fabrics", "Fabrics of a Nexus Dashboard cluster: name, type, category, licence tier. Start here to learn fabric names.", { ...paging }),
    route: () => ({ operationId: "manage.listFabrics", params: {} }),
    defaultFields: ["name", "category", "management.type", "licenseTier"],
  },
  {
    tool: readTool(
      "list_switches",
      "List switches",
      "Switches with serial (switchId), hostname, model, role, software version, anomaly level and sync status. Give fabric for one fabric; omit it for all.",
      { fabric: { type: "string", description: "Fabric name" }, ...paging },
    ),
    route: (a) =>
      str(a.fabric)
        ? { operationId: "manage.listFabricSwitches", params: { fabricName: a.fabric } }
        : { operationId: "manage.listAllSwitches", params: {} },
    defaultFields: [
      "switchId", "hostname", "fabricName", "model", "switchRole", "softwareVersion", "anomalyLevel",
      "additionalData.configSyncStatus", "additionalData.discoveryStatus",
    ],
  },
  {
    tool: readTool(
      "list_anomalies",
      "List anomalies",
      "Active anomalies (problems ND detected): severity, category, title, affected nodes, start time. Filter by fabric and severity.",
      {
        fabric: { type: "string", description: "Fabric name" },
        severity: { type: "string", enum: ["critical", "major", "minor", "warning"] },
        ...paging,
      },
    ),
    route: (a) => ({
      operationId: "analyze.getAnomalyDetails",
      params: {
        ...(str(a.fabric) ? { fabricName: a.fabric } : {}),
        ...(str(a.severity) ? { filter: `severity:${a.severity}` } : {}),
      },
    }),
    defaultFields: ["anomalyId", "severity", "category", "mnemonicTitle", "title", "fabricName", "nodeNames", "startDate"],
  },
  {
    tool: readTool("cluster_health", "Cluster health", "Health of the Nexus Dashboard cluster itself: core services, Kubernetes, per-node checks.", {
      fields: paging.fields,
    }),
    route: () => ({ operationId: "infra.getClusterHealtStatus", params: {} }),
  },
  {
    tool: readTool("list_vrfs", "List VRFs", "VRFs of a fabric with VRF id, template, tenant and deployment status.", {
      fabric: { type: "string", description: "Fabric name" },
      ...paging,
    }, ["fabric"]),
    route: (a) => ({ operationId: "ndfc.listVrfs", params: { fabric: a.fabric } }),
    defaultFields: ["vrfName", "vrfId", "tenantName", "vrfStatus"],
  },
];

export const LIST_CLUSTERS: Tool = {
  name: "list_clusters",
  title: "List clusters",
  description: "Nexus Dashboard clusters you may use, with their names (pass as `cluster`), versions and addresses.",
  inputSchema: { type: "object", properties: {}, additionalProperties: false },
  annotations: { title: "List clusters", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

export const SEARCH_OPERATIONS: Tool = {
  name: "search_operations",
  title: "Search ND operations",
  description:
    "Find Nexus Dashboard API operations by words (e.g. \"vrf attachments\", \"interfaces of a switch\"). Returns the best matches: id, method, path, summary, risk. Use when no other tool fits; then describe_operation, then call_operation.",
  inputSchema: {
    type: "object",
    properties: {
      query: { type: "string", minLength: 2, maxLength: 200 },
      limit: { type: "integer", minimum: 1, maximum: 20, description: "Matches to return (default 5)" },
    },
    required: ["query"],
    additionalProperties: false,
  },
  annotations: { title: "Search ND operations", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

export const DESCRIBE_OPERATION: Tool = {
  name: "describe_operation",
  title: "Describe an ND operation",
  description: "Parameters (required marked, enums inline) and a compact request-body schema of one operation id from search_operations.",
  inputSchema: {
    type: "object",
    properties: { operation: { type: "string", description: "Operation id, e.g. manage.listFabrics" } },
    required: ["operation"],
    additionalProperties: false,
  },
  annotations: { title: "Describe an ND operation", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
};

const callOperationSchema: Tool["inputSchema"] = {
  type: "object",
  properties: {
    operation: { type: "string", description: "Operation id from search_operations" },
    cluster,
    params: { type: "object", description: "Path and query parameters by name", additionalProperties: true },
    body: { description: "JSON request body, for operations that take one" },
    ...paging,
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
  inputSchema: callOperationSchema,
  annotations: { title: "Call an ND operation", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
};

/**
 * call_operation for a principal who can only read: the same tool, described and annotated
 * truthfully, so a client does not ask its user to confirm every read as if it were destructive.
 */
export const CALL_OPERATION_READS: Tool = {
  ...CALL_OPERATION,
  description: "Run one read operation by id with its parameters (your role or token allows reads only). Results are paged and trimmed: use fields, limit, offset.",
  annotations: { title: "Call an ND operation", readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: true },
};
