/**
 * Ten typical read tasks, each scripted as the MCP tool calls an assistant would make through
 * the gateway's default surface — including the exploratory calls a model needs when it does
 * not yet know a field path or an operation id (they cost tokens too, so they are counted).
 * `expect` pins what the answer must contain, so a drifting scenario fails loudly instead of
 * measuring an error message.
 */

export interface TaskContext {
  /** A fabric the user names ("fabric X"). */
  fabric: string;
  /** A switch the user names by host name, in that fabric. */
  hostname: string;
}

export interface ToolAnswer {
  text: string;
  structured: Record<string, unknown>;
}

export type CallTool = (tool: string, args: Record<string, unknown>, expect?: string) => Promise<ToolAnswer>;

export interface ReadTask {
  id: string;
  question: string;
  run(call: CallTool, ctx: TaskContext): Promise<void>;
}

/** Rows of the table in a result's text (structuredContent carries no rows; app/mcp/operation-result.ts). */
const rowsOf = (a: ToolAnswer): Record<string, string>[] => {
  const lines = a.text.split("\n").filter((l) => !l.startsWith("("));
  const start = lines.findIndex((l) => /^\w[\w.]*: (none|\d)/.test(l));
  const [head, ...body] = lines.slice(start + 1);
  const columns = (head ?? "").split(" | ");
  return body.map((l) => Object.fromEntries(l.split(" | ").map((c, i) => [columns[i]!, c])));
};

export const READ_TASKS: ReadTask[] = [
  {
    id: "fabrics",
    question: "Which fabrics are there, of what type, and in what state?",
    run: async (call) => {
      await call("list_fabrics", {}, "syncStatus");
    },
  },
  {
    id: "out-of-sync",
    question: "Which switches are out of sync in fabric X?",
    run: async (call, { fabric }) => {
      await call("list_switches", { fabric, limit: 200 }, "outOfSync");
    },
  },
  {
    id: "critical-anomalies",
    question: "Are there critical anomalies?",
    run: async (call) => {
      await call("list_anomalies", { severity: "critical" }, "critical");
    },
  },
  {
    id: "vrfs",
    question: "Which VRFs does fabric X have?",
    run: async (call, { fabric }) => {
      await call("list_vrfs", { fabric }, "prod-vrf");
    },
  },
  {
    id: "cluster-health",
    question: "Is the Nexus Dashboard cluster healthy?",
    run: async (call) => {
      await call("cluster_health", {}, "isHealthy");
    },
  },
  {
    id: "interfaces-down",
    question: "Which interfaces are down on switch S?",
    run: async (call, { fabric, hostname }) => {
      await call("list_interfaces", { fabric, switch: hostname, status: "down", limit: 200 }, "down");
    },
  },
  {
    id: "software-versions",
    question: "Which switches run which NX-OS version (anything older than 10.4)?",
    run: async (call) => {
      await call("list_switches", { fields: ["hostname", "fabricName", "model", "softwareVersion"], limit: 200 }, "softwareVersion");
    },
  },
  {
    id: "fabric-anomaly-summary",
    question: "How many anomalies of each severity does fabric X have?",
    run: async (call, { fabric }) => {
      await call("search_operations", { query: "anomaly summary of a fabric" }, "analyze.getAnomaliesSummary");
      await call("call_operation", { operation: "analyze.getAnomaliesSummary", params: { fabricName: fabric } }, "critical");
    },
  },
  {
    id: "networks",
    question: "Which networks are defined in fabric X?",
    run: async (call, { fabric }) => {
      await call("list_networks", { fabric }, "networkName");
    },
  },
  {
    // Was "backup schedules", until those became sensitive reads (they carry the backup
    // encryption key): a viewer's search no longer offers them, as it should not.
    id: "syslog-servers",
    question: "Where does the ND cluster send its logs (syslog servers)? (search → describe → call)",
    run: async (call) => {
      await call("search_operations", { query: "syslog servers" }, "infra.getLogServerSettings");
      await call("describe_operation", { operation: "infra.getLogServerSettings" }, "infra.getLogServerSettings");
      await call("call_operation", { operation: "infra.getLogServerSettings" }, "SyslogServer1");
    },
  },
];
