/**
 * Legacy NDFC reads that older clients (cisco.dcnm) use: version, fabrics, all switches and the
 * interfaces of one switch. Bare arrays, no paging (reference §3, §4).
 */
import { ndfcError } from "../http/errors.ts";
import { json } from "../http/respond.ts";
import { READ_SCOPES, type SimRoute } from "../http/route.ts";
import { NDFC_VERSION } from "../data/cluster.ts";
import { toLegacyInterface } from "../data/interfaces.ts";
import type { Fabric, Switch } from "../data/model.ts";
import { rngFor } from "../prng.ts";
import type { CoreDeps } from "./core-deps.ts";
import { NDFC_BASE } from "./ndfc-overlay.routes.ts";

const REST = `${NDFC_BASE}/lan-fabric/rest`;

export function ndfcInventoryRoutes({ state }: CoreDeps): SimRoute[] {
  const read = (path: string, handle: SimRoute["handle"]): SimRoute => ({
    method: "GET",
    path,
    family: "ndfc",
    scopes: READ_SCOPES,
    handle,
  });
  const legacyFabrics = () => [...state.fabrics.values()].map((f, i) => legacyFabric(state.seed, f, i));
  return [
    read(`${NDFC_BASE}/fm/about/version`, () => json(NDFC_VERSION)),
    read(`${REST}/control/fabrics`, () => json(legacyFabrics())),
    read(`${REST}/control/fabrics/{fabric}`, ({ params, url }) => {
      const found = legacyFabrics().find((f) => f.fabricName === params.fabric);
      return found ? json(found) : ndfcError(404, url.pathname, `Fabric ${params.fabric} not found`);
    }),
    read(`${REST}/inventory/allswitches`, () => json(state.allSwitches().map(legacySwitch))),
    read(`${REST}/interface`, ({ query, url }) => {
      const serial = query.get("serialNumber");
      if (!serial) return ndfcError(400, url.pathname, "serialNumber is required");
      return json(state.interfacesOfSwitch(serial).map(toLegacyInterface));
    }),
  ];
}

/** NDFC fabric object; `nvPairs` mixes settings with secrets the gateway must redact. */
function legacyFabric(seed: number, fabric: Fabric, index: number) {
  const rng = rngFor(seed, "legacy-fabric", fabric.name);
  return {
    id: index + 1,
    fabricId: `FABRIC-${index + 1}`,
    fabricName: fabric.name,
    fabricType: "Switch_Fabric",
    fabricTechnology: fabric.management.type.startsWith("vxlan") ? "VXLANFabric" : "LANClassic",
    templateName: fabric.management.type.startsWith("vxlan") ? "Easy_Fabric" : "LAN_Classic",
    asn: fabric.management.bgpAsn ?? "",
    operStatus: "HEALTHY",
    createdOn: 1_700_000_000_000 + index * 86_400_000,
    nvPairs: {
      FABRIC_NAME: fabric.name,
      BGP_AS: fabric.management.bgpAsn ?? "",
      REPLICATION_MODE: "Multicast",
      ANYCAST_GW_MAC: "2020.0000.00aa",
      SNMP_SERVER_HOST_TRAP_COMMUNITY: `comm-${rng.alnum(8)}`,
      DNS_SERVER_KEY: `key-${rng.alnum(16)}`,
      BGP_AUTH_KEY: rng.hex(32),
      BGP_AUTH_ENABLE: "true",
    },
  };
}

function legacySwitch(sw: Switch) {
  return {
    serialNumber: sw.serialNumber,
    hostName: sw.hostname,
    ipAddress: sw.fabricManagementIp,
    fabricName: sw.fabricName,
    switchRole: sw.switchRole,
    model: sw.model,
    release: sw.softwareVersion,
    status: sw.additionalData.discoveryStatus === "ok" ? "ok" : "unreachable",
    mode: "Normal",
    systemMode: "Normal",
    ccStatus: sw.additionalData.configSyncStatus === "inSync" ? "In-Sync" : "Out-of-Sync",
    vpcDomain: sw.vpcData?.vpcDomain ?? 0,
    peerSerialNumber: sw.vpcData?.peerSwitchId ?? null,
    upTimeStr: sw.systemUpTime,
  };
}
