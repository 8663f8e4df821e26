/** Seeded fabrics: name, type, licence, location and management settings. */
import { rngFor } from "../prng.ts";
import type { Fabric } from "./model.ts";
import { CITIES, FABRIC_TYPES, LICENSE_TIERS, type FabricType } from "./vocabulary.ts";

export function fabricName(index: number): string {
  const city = CITIES[index % CITIES.length] as string;
  return `${city}-dc${Math.floor(index / CITIES.length) + 1}`;
}

/** The first two fabrics are VXLAN so a default run (2 fabrics) has VRFs and networks to show. */
export function fabricTypeFor(index: number): FabricType {
  return FABRIC_TYPES[index % FABRIC_TYPES.length] as FabricType;
}

export function generateFabric(seed: number, index: number): Fabric {
  const rng = rngFor(seed, "fabric", index);
  const type = fabricTypeFor(index);
  return {
    name: fabricName(index),
    category: "fabric",
    licenseTier: rng.pick(LICENSE_TIERS),
    alertSuspend: "disabled",
    telemetryCollection: rng.chance(0.7),
    telemetryCollectionType: rng.chance(0.5) ? "inBand" : "outOfBand",
    telemetryStreamingProtocol: "ipv4",
    telemetrySourceInterface: "loopback0",
    telemetrySourceVrf: "default",
    securityDomain: "all",
    location: { latitude: round(rng.next() * 120 - 60), longitude: round(rng.next() * 340 - 170) },
    management: managementFor(type, 65000 + index + 1, rng.int(1, 99)),
  };
}

export function managementFor(type: FabricType, asn: number, siteId: number): Fabric["management"] {
  const base: Fabric["management"] = { type };
  if (type === "classicLan") return base;
  base.bgpAsn = String(asn);
  if (type === "vxlanIbgp" || type === "vxlanEbgp") {
    Object.assign(base, {
      siteId: String(siteId),
      anycastGatewayMac: "2020.0000.00aa",
      replicationMode: "multicast",
      overlayMode: "cli",
      underlayIpv6: false,
      vrfTemplate: "Default_VRF_Universal",
      networkTemplate: "Default_Network_Universal",
    });
  }
  return base;
}

const round = (n: number) => Math.round(n * 10000) / 10000;
