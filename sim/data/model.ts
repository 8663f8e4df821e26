/**
 * Record shapes the simulator serves. They follow Cisco's 4.1 schemas (Manage `fabric`,
 * `listAllSwitchesResponseBody`, Analyze `ListInterfacesResponse`/`AnomaliesDetails`, Infra nodes,
 * Orchestrator `V1Site`) and the legacy NDFC top-down objects.
 */
import type { FabricType } from "./vocabulary.ts";

export type Level = "critical" | "major" | "minor" | "warning" | "healthy";

export interface Fabric {
  name: string;
  category: "fabric";
  licenseTier: string;
  alertSuspend: "enabled" | "disabled";
  telemetryCollection: boolean;
  telemetryCollectionType: "inBand" | "outOfBand";
  telemetryStreamingProtocol: "ipv4" | "ipv6";
  telemetrySourceInterface: string;
  telemetrySourceVrf: string;
  securityDomain: string;
  location: { latitude: number; longitude: number };
  management: { type: FabricType; bgpAsn?: string; [key: string]: unknown };
}

export interface VpcData {
  vpcDomain: number;
  peerSwitchId: string;
  peerName: string;
  vpcRole: "primary" | "secondary";
  peerLinkStatus: string;
  keepAliveStatus: string;
  consistentStatus: boolean;
}

export interface Switch {
  switchId: string;
  serialNumber: string;
  hostname: string;
  fabricName: string;
  fabricType: string;
  fabricManagementIp: string;
  model: string;
  softwareVersion: string;
  switchRole: string;
  systemUpTime: string;
  anomalyLevel: Level;
  advisoryLevel: Level;
  alertSuspend: "enabled" | "disabled";
  vpcConfigured: boolean;
  vpcData?: VpcData;
  telemetryIpCollection: { outOfBandIpV4Address: string };
  additionalData: {
    discoveryStatus: string;
    configSyncStatus: string;
    systemMode: string;
    sourceInterfaceName: string;
    sourceVrfName: string;
    vendor: string;
    /** Discriminator of Cisco's additionalType: "others" = NX-OS, "aci" = ACI. */
    usage: "others" | "aci";
  };
}

export interface FabricInterface {
  fabricName: string;
  switchId: string;
  switchName: string;
  interfaceName: string;
  interfaceType: "ethernet" | "loopback" | "portChannel";
  adminStatus: "up" | "down";
  operationalStatus: "up" | "down";
  speed: string;
  description: string;
  anomalyLevel: Level;
  ipv4Address?: string;
  portChannelId?: string;
  portChannelType?: "vpc" | "peerlinkpc";
  neighborInfo?: { l2NeighborString: string };
}

export interface Vrf {
  id: number;
  fabric: string;
  vrfName: string;
  vrfId: number;
  vrfTemplate: string;
  vrfExtensionTemplate: string;
  /** JSON in a string, exactly like NDFC sends it. */
  vrfTemplateConfig: string;
  tenantName: string | null;
  vrfStatus: string;
  hierarchicalKey: string;
}

export interface Network {
  id: number;
  fabric: string;
  networkName: string;
  networkId: number;
  networkTemplate: string;
  networkExtensionTemplate: string;
  /** JSON in a string, like vrfTemplateConfig. */
  networkTemplateConfig: string;
  vrf: string;
  tenantName: string | null;
  networkStatus: string;
  hierarchicalKey: string;
}

export interface Anomaly {
  anomalyId: string;
  severity: "critical" | "major" | "minor" | "warning";
  category: string;
  anomalyScore: number;
  title: string;
  mnemonicTitle: string;
  mnemonicDescription: string;
  fabricName: string;
  nodeNames: string[];
  switchId: string;
  entityName: string;
  vendor: "CISCO_NX-OS";
  alertType: "anomaly";
  anomalySource: "telemetry";
  startDate: string;
  endDate: string;
  cleared: boolean;
  acknowledged: boolean;
  comment: string;
  recommendation: boolean;
}

export interface Advisory {
  advisoryId: string;
  severity: "critical" | "major" | "minor" | "warning";
  category: string;
  advisoryScore: number;
  title: string;
  fabricName: string;
  nodeNames: string[];
  alertType: "advisory";
  softwareVersion: string;
  startDate: string;
}

export interface SeverityOrder {
  [level: string]: number;
}

/** Lower is worse; used to roll levels up from anomalies to switches to fabrics. */
export const LEVEL_RANK: SeverityOrder = { critical: 0, major: 1, minor: 2, warning: 3, healthy: 4 };

export function worstLevel(levels: Iterable<string>): Level {
  let worst: Level = "healthy";
  for (const level of levels) {
    if ((LEVEL_RANK[level] ?? 9) < (LEVEL_RANK[worst] ?? 9)) worst = level as Level;
  }
  return worst;
}
