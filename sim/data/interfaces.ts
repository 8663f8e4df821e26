/**
 * Interfaces of a switch, generated on first use (a 50 × 200 inventory would otherwise hold a
 * quarter of a million records nobody asked for). Seeded per switch, so order of requests does
 * not change the answer.
 */
import { rngFor } from "../prng.ts";
import type { FabricInterface, Switch } from "./model.ts";
import { PROMPT_INJECTIONS } from "./vocabulary.ts";

const LEAF_PORTS = 24;
const SPINE_PORTS = 16;

export function generateInterfaces(seed: number, sw: Switch): FabricInterface[] {
  const rng = rngFor(seed, "interfaces", sw.switchId);
  const isSpine = sw.switchRole === "spine";
  const ports = isSpine ? SPINE_PORTS : LEAF_PORTS;
  const out: FabricInterface[] = [];
  // Object literals rather than spreads: this runs for every switch of a fabric on first use.
  for (let p = 1; p <= ports; p++) {
    const adminUp = rng.chance(0.9);
    const operUp = adminUp && rng.chance(0.92);
    const uplink = !isSpine && p > ports - 2;
    const port: FabricInterface = {
      fabricName: sw.fabricName,
      switchId: sw.switchId,
      switchName: sw.hostname,
      interfaceName: `Ethernet1/${p}`,
      interfaceType: "ethernet",
      adminStatus: adminUp ? "up" : "down",
      operationalStatus: operUp ? "up" : "down",
      speed: isSpine || uplink ? "100Gb" : "25Gb",
      description: portDescription(sw, p, uplink, rng.int(0, 97)),
      anomalyLevel: operUp || !adminUp ? "healthy" : "major",
    };
    if (uplink) port.neighborInfo = { l2NeighborString: `${sw.fabricName}-spine${p - ports + 2}:Ethernet1/${p}` };
    out.push(port);
  }
  out.push(loopback(sw, 0, sw.fabricManagementIp, "Routing loopback"));
  out.push(loopback(sw, 1, sw.fabricManagementIp.replace(/^10\./, "10.100."), "VTEP loopback"));
  if (sw.vpcData) {
    out.push({
      fabricName: sw.fabricName,
      switchId: sw.switchId,
      switchName: sw.hostname,
      interfaceName: "port-channel500",
      interfaceType: "portChannel",
      adminStatus: "up",
      operationalStatus: "up",
      speed: "100Gb",
      description: `vPC peer-link to ${sw.vpcData.peerName}`,
      anomalyLevel: "healthy",
      portChannelId: "500",
      portChannelType: "peerlinkpc",
    });
  }
  return out;
}

/** Every 97th-ish host port carries an injection attempt an assistant might read. */
function portDescription(sw: Switch, port: number, uplink: boolean, roll: number): string {
  if (uplink) return `uplink to spine`;
  if (roll === 0 || (port === 7 && sw.switchRole === "border"))
    return PROMPT_INJECTIONS[port % PROMPT_INJECTIONS.length] as string;
  return `host port ${port} rack ${sw.hostname.slice(-2)}`;
}

function loopback(sw: Switch, n: number, ip: string, description: string): FabricInterface {
  return {
    fabricName: sw.fabricName,
    switchId: sw.switchId,
    switchName: sw.hostname,
    interfaceName: `loopback${n}`,
    interfaceType: "loopback",
    adminStatus: "up",
    operationalStatus: "up",
    speed: "auto",
    description,
    anomalyLevel: "healthy",
    ipv4Address: `${ip}/32`,
  };
}

/** The legacy NDFC `/lan-fabric/rest/interface?serialNumber=` shape of the same interface. */
export function toLegacyInterface(i: FabricInterface, index: number) {
  return {
    ifIndex: 436207616 + index * 4096,
    ifName: i.interfaceName,
    ifType:
      i.interfaceType === "ethernet"
        ? "INTERFACE_ETHERNET"
        : i.interfaceType === "loopback"
          ? "INTERFACE_LOOPBACK"
          : "INTERFACE_PORT_CHANNEL",
    serialNo: i.switchId,
    sysName: i.switchName,
    fabricName: i.fabricName,
    adminStatusStr: i.adminStatus,
    operStatusStr: i.operationalStatus,
    speedStr: i.speed,
    alias: i.description,
    ipAddress: i.ipv4Address ?? "",
    isPhysical: i.interfaceType === "ethernet" ? "true" : "false",
    complianceStatus: "In-Sync",
  };
}
