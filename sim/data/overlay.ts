/**
 * VRFs and networks in the legacy NDFC top-down shape (reference §3): bare records whose
 * `vrfTemplateConfig` / `networkTemplateConfig` are JSON documents serialized into a string.
 * Only VXLAN fabrics carry an overlay.
 */
import { rngFor } from "../prng.ts";
import type { Fabric, Network, Vrf } from "./model.ts";
import { NETWORK_ROLES, PROMPT_INJECTIONS, VRF_NAMES } from "./vocabulary.ts";

export const VRF_TEMPLATE = "Default_VRF_Universal";
export const VRF_EXTENSION_TEMPLATE = "Default_VRF_Extension_Universal";
export const NETWORK_TEMPLATE = "Default_Network_Universal";
export const NETWORK_EXTENSION_TEMPLATE = "Default_Network_Extension_Universal";

export function hasOverlay(fabric: Fabric): boolean {
  return fabric.management.type === "vxlanIbgp" || fabric.management.type === "vxlanEbgp";
}

export function generateOverlay(seed: number, fabric: Fabric): { vrfs: Vrf[]; networks: Network[] } {
  if (!hasOverlay(fabric)) return { vrfs: [], networks: [] };
  const rng = rngFor(seed, "overlay", fabric.name);
  const vrfCount = rng.int(3, 5);
  const vrfs: Vrf[] = [];
  const networks: Network[] = [];
  for (let v = 0; v < vrfCount; v++) {
    const vrfName = `${VRF_NAMES[v % VRF_NAMES.length]}-vrf`;
    const description = v === 2 ? (PROMPT_INJECTIONS[0] as string) : `${vrfName} tenant VRF`;
    vrfs.push(buildVrf(fabric.name, v + 1, vrfName, 50001 + v, 2001 + v, description, "DEPLOYED"));
    const perVrf = rng.int(1, 3);
    for (let n = 0; n < perVrf; n++) {
      const index = networks.length;
      const role = NETWORK_ROLES[index % NETWORK_ROLES.length] as string;
      networks.push(
        buildNetwork(fabric.name, index + 1, {
          networkName: `${role}-net-${index + 1}`,
          networkId: 30001 + index,
          vlanId: 2301 + index,
          vrf: vrfName,
          gatewayIpAddress: `10.${200 + v}.${index}.1/24`,
          description: `${role} tier`,
          status: rng.chance(0.85) ? "DEPLOYED" : "PENDING",
        }),
      );
    }
  }
  return { vrfs, networks };
}

export function buildVrf(
  fabric: string,
  id: number,
  vrfName: string,
  vrfId: number,
  vlanId: number,
  description: string,
  status: string,
): Vrf {
  return {
    id,
    fabric,
    vrfName,
    vrfId,
    vrfTemplate: VRF_TEMPLATE,
    vrfExtensionTemplate: VRF_EXTENSION_TEMPLATE,
    vrfTemplateConfig: JSON.stringify({
      vrfName,
      vrfSegmentId: String(vrfId),
      vrfVlanId: String(vlanId),
      vrfVlanName: vrfName.toUpperCase(),
      vrfDescription: description,
      vrfIntfDescription: "",
      mtu: "9216",
      tag: "12345",
      vrfRouteMap: "FABRIC-RMAP-REDIST-SUBNET",
      maxBgpPaths: "1",
      maxIbgpPaths: "2",
      ipv6LinkLocalFlag: "true",
      advertiseHostRouteFlag: "false",
      advertiseDefaultRouteFlag: "true",
      configureStaticDefaultRouteFlag: "true",
    }),
    tenantName: null,
    vrfStatus: status,
    hierarchicalKey: fabric,
  };
}

export interface NetworkSpec {
  networkName: string;
  networkId: number;
  vlanId: number;
  vrf: string;
  gatewayIpAddress: string;
  description: string;
  status: string;
}

export function buildNetwork(fabric: string, id: number, spec: NetworkSpec): Network {
  return {
    id,
    fabric,
    networkName: spec.networkName,
    networkId: spec.networkId,
    networkTemplate: NETWORK_TEMPLATE,
    networkExtensionTemplate: NETWORK_EXTENSION_TEMPLATE,
    networkTemplateConfig: JSON.stringify({
      networkName: spec.networkName,
      segmentId: String(spec.networkId),
      vlanId: String(spec.vlanId),
      vlanName: spec.networkName.toUpperCase(),
      vrfName: spec.vrf,
      gatewayIpAddress: spec.gatewayIpAddress,
      intfDescription: spec.description,
      mtu: "9216",
      isLayer2Only: "false",
      suppressArp: "false",
      mcastGroup: "239.1.1.0",
      tag: "12345",
    }),
    vrf: spec.vrf,
    tenantName: null,
    networkStatus: spec.status,
    hierarchicalKey: fabric,
  };
}
