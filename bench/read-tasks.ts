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
      await call(
        "list_switches",
        { fields: ["hostname", "fabricName", "model", "softwareVersion"], limit: 200 },
        "softwareVersion",
      );
    },
  },
  {
    id: "fabric-anomaly-summary",
    question: "How many anomalies of each severity does fabric X have?",
    run: async (call, { fabric }) => {
      await call("search_operations", { query: "anomaly summary of a fabric" }, "analyze.getAnomaliesSummary");
      await call(
        "call_operation",
        { operation: "analyze.getAnomaliesSummary", params: { fabricName: fabric } },
        "critical",
      );
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

/**
 * Ten more questions engineers ask, reported separately (issue 13): the default surface was
 * not tuned to the first ten at the expense of these. Each is scripted as a model would answer
 * it with today's tools, exploratory calls included.
 */
export const EXTRA_TASKS: ReadTask[] = [
  {
    id: "bgp-neighbours",
    question: "Which switches lost BGP neighbours?",
    run: async (call, { fabric }) => {
      await call("search_operations", { query: "bgp neighbors" }, "analyze.listL3NeighborsDetails");
      await call(
        "call_operation",
        {
          operation: "analyze.listL3NeighborsDetails",
          params: { fabricName: fabric },
          fields: ["switchName", "peerIp", "operationalStatus", "protocolName"],
          limit: 50,
        },
        "switchName",
      );
    },
  },
  {
    id: "ports-down",
    question: "Which ports are down (err-disabled or otherwise) in fabric X?",
    run: async (call, { fabric }) => {
      await call("list_interfaces", { fabric, status: "down", limit: 200 }, "down");
    },
  },
  {
    id: "fabric-in-sync",
    question: "Is fabric X in sync with its intent?",
    run: async (call) => {
      await call("list_fabrics", {}, "syncStatus");
    },
  },
  {
    id: "vrfs-both-sites",
    question: "Which VRFs span both sites (fabrics)?",
    run: async (call) => {
      await call("list_vrfs", { fabric: "ams-dc1" }, "vrfName");
      await call("list_vrfs", { fabric: "sjc-dc1" }, "vrfName");
    },
  },
  {
    id: "what-changed",
    question: "What changed on ND since yesterday (audit trail)?",
    run: async (call) => {
      await call("search_operations", { query: "audit records" }, "infra.getAuditRecords");
      await call("call_operation", { operation: "infra.getAuditRecords", limit: 20 }, "");
    },
  },
  {
    id: "critical-switches",
    question: "Which switches have critical anomalies, and what are they?",
    run: async (call) => {
      await call(
        "list_anomalies",
        { severity: "critical", fields: ["severity", "title", "nodeNames", "fabricName"] },
        "critical",
      );
    },
  },
  {
    id: "versions-per-fabric",
    question: "Which NX-OS versions run in each fabric?",
    run: async (call) => {
      await call("list_fabrics", { fields: ["name", "softwareVersions"] }, "softwareVersions");
    },
  },
  {
    id: "node-load",
    question: "How loaded are the ND cluster's nodes (CPU, memory, disk)?",
    run: async (call) => {
      await call("cluster_health", { fields: ["nodes"] }, "cpuUsage");
    },
  },
  {
    id: "networks-of-vrf",
    question: "Which networks in fabric X use VRF prod-vrf?",
    run: async (call, { fabric }) => {
      await call("list_networks", { fabric, limit: 200 }, "prod-vrf");
    },
  },
  {
    id: "switch-problems",
    question: "Is anything wrong with switch S?",
    run: async (call, { fabric, hostname }) => {
      await call("list_switches", { fabric, limit: 200 }, hostname);
      await call(
        "call_operation",
        { operation: "analyze.getAnomalyDetails", params: { fabricName: fabric, nodeName: hostname } },
        "",
      );
    },
  },
];
