/**
 * The ND cluster itself (Infra API): three nodes, health and bootstrap status. Node records carry
 * `nodeController.authentication.password` — a secret the gateway must redact (reference §8.1).
 */
import { rngFor } from "../prng.ts";
import { DATA_EPOCH_MS } from "./alerts.ts";

export const CLUSTER_NAME = "nd-sim-cluster";
export const ND_FIRMWARE = "4.1.1.24";

export function generateNodes(seed: number) {
  const rng = rngFor(seed, "nodes");
  return [1, 2, 3].map((n) => ({
    name: `nd-node${n}`,
    // A three-node ND cluster runs three primary (master) nodes; "secondary" means worker.
    role: "primary",
    uuid: `${rng.hex(8)}-${rng.hex(4)}-4${rng.hex(3)}-a${rng.hex(3)}-${rng.hex(12)}`,
    serialNumber: `WZP${rng.int(20, 29)}${rng.alnum(6)}`,
    model: "ND-NODE-L4",
    firmwareVersion: ND_FIRMWARE,
    platformType: "physical",
    operationalState: "active",
    bootstrapState: "registered",
    bootTime: new Date(DATA_EPOCH_MS - rng.int(1, 90) * 86_400_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    managementNetwork: { network: { cidrv4: `10.0.0.${10 + n}/24` }, gateway: { ipv4: "10.0.0.1" } },
    dataNetwork: { network: { cidrv4: `192.168.100.${10 + n}/24` }, gateway: { ipv4: "192.168.100.1" }, vlanId: 100 },
    nodeController: {
      serverAddress: `172.20.43.${40 + n}`,
      authentication: { user: "admin", password: `Cimc-${rng.alnum(10)}!` },
    },
  }));
}

export function clusterHealth(nodes: { name: string }[], lastUpdated: string) {
  const ok = (name: string) => ({ name, status: true });
  return {
    isHealthy: true,
    lastUpdated,
    coreInfra: ["mongodb", "kafka", "opensearch", "etcd"].map(ok),
    features: ["fabric-management", "telemetry", "orchestration"].map(ok),
    k8s: ["podsHealth", "nodesHealth", "deploymentsHealth"].map(ok),
    nodes: nodes.map((node, i) => ({
      name: node.name,
      statusList: [
        { name: "cpuUsage", status: true, value: String(20 + i * 7) },
        { name: "memoryUsage", status: true, value: String(41 + i * 5) },
        { name: "ntpSyncStatus", status: true },
        { name: "diskUsage", status: true, value: String(33 + i) },
      ],
    })),
  };
}

export function clusterStatus(seed: number) {
  const rng = rngFor(seed, "cluster-status");
  const at = new Date(DATA_EPOCH_MS).toISOString();
  return {
    name: CLUSTER_NAME,
    uuid: `${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}`,
    state: "active",
    status: {
      overallStatus: {
        state: "completed",
        startTime: at,
        endTime: at,
        lastUpdateTime: at,
        estimatedTime: 0,
        progress: 100,
      },
      stages: ["bootstrap", "services", "apps"].map((name) => ({ name, state: "completed", progress: 100 })),
    },
    externalServiceStatusList: [{ service: "cisco-nir/flow-collector", allocatedIp: "192.0.0.200" }],
  };
}

/** `/version.json` (ND 4.1.1) and the NDFC about/version that must agree with it (12.4.1.245). */
export const PLATFORM_VERSION = {
  major: 4,
  minor: 1,
  maintenance: 1,
  patch: "g",
  commit_id: "3b1f0c9e",
  build_time: "2025-05-20T11:42:00Z",
  build_host: "nd-build-sim",
  user: "ndbuild",
  product_id: "nd",
  product_name: "Nexus Dashboard",
  release: true,
};

export const NDFC_VERSION = {
  version: "12.4.1.245",
  mode: "",
  install: "",
  isMediaController: false,
  dev: false,
  isHaEnabled: false,
  uuid: "",
  is_upgrade_inprogress: false,
};
