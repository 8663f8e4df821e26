/** Roll-ups computed from the records on every read, so summaries always match the details. */
import { CLUSTER_NAME } from "./cluster.ts";
import { worstLevel, type Advisory, type Anomaly, type Fabric, type Switch } from "./model.ts";

const FABRIC_ACTIONS = ["edit", "delete", "recalculateAndDeploy", "addSwitches"];
/** What ND's UI calls each fabric type (`management.displayFabricType` in Cisco's example). */
const DISPLAY_TYPE: Record<string, string> = {
  vxlanIbgp: "Data Center VXLAN EVPN - iBGP",
  vxlanEbgp: "Data Center VXLAN EVPN - eBGP",
  classicLan: "Classic LAN",
  externalConnectivity: "External Connectivity Network",
};

export function fabricSummary(fabric: Fabric, switches: Switch[]) {
  const outOfSync = switches.some((s) => s.additionalData.configSyncStatus !== "inSync");
  const up = switches.length === 0 || switches.some((s) => s.additionalData.discoveryStatus === "ok");
  const { management, ...rest } = fabric;
  return {
    ...rest,
    anomalyLevel: worstLevel(switches.map((s) => s.anomalyLevel)),
    advisoryLevel: worstLevel(switches.map((s) => s.advisoryLevel)),
    connectivityStatus: up ? "Up" : "Down",
    connectivityStatusDescription: up ? "Fabric is reachable" : "Fabric is not reachable",
    softwareVersions: [...new Set(switches.map((s) => s.softwareVersion))].sort(),
    local: true,
    ownerCluster: CLUSTER_NAME,
    meta: { allowedActions: FABRIC_ACTIONS },
    management: {
      type: management.type,
      ...(management.bgpAsn ? { bgpAsn: management.bgpAsn } : {}),
      ...(DISPLAY_TYPE[management.type] ? { displayFabricType: DISPLAY_TYPE[management.type] } : {}),
      configSyncStatus: { syncStatus: switches.length === 0 ? "notApplicable" : outOfSync ? "outOfSync" : "inSync" },
    },
  };
}

export function switchesSummary(switches: readonly Switch[]) {
  return {
    anomalyLevel: countBy(switches, (s) => s.anomalyLevel),
    configSyncStatus: countBy(switches, (s) => s.additionalData.configSyncStatus),
    role: countBy(switches, (s) => s.switchRole),
    softwareVersion: countBy(switches, (s) => s.softwareVersion),
  };
}

export function anomaliesSummary(anomalies: Anomaly[]) {
  const bySeverity = groupBy(anomalies, (a) => a.severity);
  const rows = [...bySeverity].map(([severity, list]) => ({
    severity,
    anomalyCount: list.length,
    anomalyScore: Math.max(...list.map((a) => a.anomalyScore)),
  }));
  const score = rows.length ? Math.max(...rows.map((r) => r.anomalyScore)) : 0;
  return { anomalyScore: score, totalAnomalyScore: score, totalAnomalyCount: anomalies.length, anomalies: rows };
}

export function advisoriesSummary(advisories: Advisory[]) {
  const byCategory = groupBy(advisories, (a) => a.category);
  const rows = [...byCategory].map(([category, list]) => ({
    category,
    advisoryCount: list.length,
    advisoryScore: Math.max(...list.map((a) => a.advisoryScore)),
  }));
  const score = rows.length ? Math.max(...rows.map((r) => r.advisoryScore)) : 0;
  return { advisoryScore: score, totalAdvisoryScore: score, totalAdvisoryCount: advisories.length, advisories: rows };
}

function countBy<T>(items: readonly T[], key: (item: T) => string): { name: string; count: number }[] {
  return [...groupBy(items, key)]
    .map(([name, list]) => ({ name, count: list.length }))
    .sort((a, b) => b.count - a.count || (a.name < b.name ? -1 : 1));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}
