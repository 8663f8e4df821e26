/**
 * Seeded switches of one fabric: two spines, leaves in vPC pairs, two border leaves.
 * Anomaly and advisory levels are filled in afterwards from the generated alerts so that every
 * roll-up the simulator serves agrees with the details.
 */
import { rngFor, type Rng } from "../prng.ts";
import type { Fabric, Switch } from "./model.ts";
import { FABRIC_TYPE_LABEL, LEAF_MODELS, NXOS_VERSIONS, SPINE_MODELS, SYNC_STATUSES } from "./vocabulary.ts";

export function generateSwitches(
  seed: number,
  fabric: Fabric,
  fabricIndex: number,
  count: number,
  taken: Set<string>,
): Switch[] {
  const switches: Switch[] = [];
  const version = rngFor(seed, "fabric-version", fabric.name).pick(NXOS_VERSIONS);
  for (let i = 0; i < count; i++) {
    const rng = rngFor(seed, "switch", fabric.name, i);
    const role = roleFor(i, count);
    switches.push({
      switchId: "",
      serialNumber: "",
      hostname: hostnameFor(fabric.name, role, i),
      fabricName: fabric.name,
      fabricType: FABRIC_TYPE_LABEL[fabric.management.type],
      fabricManagementIp: managementIp(fabricIndex, i),
      model: role === "spine" ? rng.pick(SPINE_MODELS) : rng.pick(LEAF_MODELS),
      softwareVersion: rng.chance(0.85) ? version : rng.pick(NXOS_VERSIONS),
      switchRole: role,
      systemUpTime: upTime(rng),
      anomalyLevel: "healthy",
      advisoryLevel: "healthy",
      alertSuspend: "disabled",
      vpcConfigured: false,
      telemetryIpCollection: { outOfBandIpV4Address: managementIp(fabricIndex, i) },
      additionalData: {
        discoveryStatus: rng.chance(0.95) ? "ok" : "unreachable",
        configSyncStatus: rng.pick(SYNC_STATUSES),
        systemMode: "normal",
        sourceInterfaceName: "mgmt0",
        sourceVrfName: "management",
        vendor: "Cisco",
        usage: "others",
      },
    });
    const serial = uniqueSerial(rng, taken);
    (switches[i] as Switch).switchId = serial;
    (switches[i] as Switch).serialNumber = serial;
  }
  pairLeavesIntoVpc(switches);
  return switches;
}

function roleFor(index: number, count: number): string {
  if (index < 2) return "spine";
  if (count >= 6 && index >= count - 2) return "border";
  return "leaf";
}

function hostnameFor(fabric: string, role: string, index: number): string {
  return `${fabric}-${role}${index + 1}`;
}

/** 10.<fabric>.<block>.<host>: unique for up to 256 fabrics × 64,000 switches. */
function managementIp(fabricIndex: number, switchIndex: number): string {
  return `10.${fabricIndex % 256}.${Math.floor(switchIndex / 250)}.${(switchIndex % 250) + 2}`;
}

function uniqueSerial(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const serial = `FDO${rng.int(20, 29)}${rng.alnum(6)}`;
    if (!taken.has(serial)) {
      taken.add(serial);
      return serial;
    }
  }
}

function upTime(rng: Rng): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${rng.int(1, 400)} days, ${two(rng.int(0, 23))}:${two(rng.int(0, 59))}:${two(rng.int(0, 59))}`;
}

/** Consecutive leaves (leaf3+leaf4, leaf5+leaf6, …) form vPC domains. */
function pairLeavesIntoVpc(switches: Switch[]): void {
  const leaves = switches.filter((s) => s.switchRole === "leaf");
  for (let i = 0; i + 1 < leaves.length; i += 2) {
    const a = leaves[i] as Switch;
    const b = leaves[i + 1] as Switch;
    const domain = i / 2 + 1;
    a.vpcConfigured = true;
    b.vpcConfigured = true;
    a.vpcData = vpcData(domain, b, "primary");
    b.vpcData = vpcData(domain, a, "secondary");
  }
}

function vpcData(domain: number, peer: Switch, role: "primary" | "secondary") {
  return {
    vpcDomain: domain,
    peerSwitchId: peer.switchId,
    peerName: peer.hostname,
    vpcRole: role,
    peerLinkStatus: "up",
    keepAliveStatus: "peer is alive",
    consistentStatus: true,
  };
}
