/**
 * VRFs and networks per fabric, with the writes the legacy NDFC top-down API offers:
 * create, update (PUT by name) and delete. Bodies are validated the way NDFC's UI would:
 * names required, template configs must be JSON, networks must name an existing VRF, a VRF that
 * still has networks cannot be deleted.
 */
import { isRecord } from "../http/route.ts";
import type { Network, Vrf } from "./model.ts";
import {
  buildNetwork,
  buildVrf,
  NETWORK_EXTENSION_TEMPLATE,
  NETWORK_TEMPLATE,
  VRF_EXTENSION_TEMPLATE,
  VRF_TEMPLATE,
} from "./overlay.ts";
import { conflict, invalid, notFound } from "./state-errors.ts";

const OVERLAY_NAME = /^[a-zA-Z0-9_.:-]{1,32}$/;

export class OverlayStore {
  private readonly vrfMap = new Map<string, Vrf[]>();
  private readonly networkMap = new Map<string, Network[]>();
  private nextId = 1000;

  load(fabric: string, vrfs: Vrf[], networks: Network[]): void {
    this.vrfMap.set(fabric, vrfs);
    this.networkMap.set(fabric, networks);
  }

  drop(fabric: string): void {
    this.vrfMap.delete(fabric);
    this.networkMap.delete(fabric);
  }

  vrfs(fabric: string): Vrf[] {
    return this.vrfMap.get(fabric) ?? [];
  }

  networks(fabric: string): Network[] {
    return this.networkMap.get(fabric) ?? [];
  }

  vrf(fabric: string, name: string): Vrf {
    const vrf = this.vrfs(fabric).find((v) => v.vrfName === name);
    if (!vrf) throw notFound(`VRF ${name} in fabric ${fabric}`);
    return vrf;
  }

  network(fabric: string, name: string): Network {
    const network = this.networks(fabric).find((n) => n.networkName === name);
    if (!network) throw notFound(`Network ${name} in fabric ${fabric}`);
    return network;
  }

  createVrf(fabric: string, input: unknown): Vrf {
    const body = requireObject(input);
    const vrfName = requireName(body.vrfName, "vrfName");
    const list = this.vrfs(fabric);
    if (list.some((v) => v.vrfName === vrfName)) throw conflict(`VRF ${vrfName} already exists in fabric ${fabric}`);
    const vrfId =
      optionalId(body.vrfId, "vrfId") ??
      nextFree(
        list.map((v) => v.vrfId),
        50001,
      );
    if (list.some((v) => v.vrfId === vrfId)) throw conflict(`vrfId ${vrfId} is already used in fabric ${fabric}`);
    const vrf = buildVrf(fabric, this.nextId++, vrfName, vrfId, 2000 + (vrfId % 1000), "", "NA");
    vrf.vrfTemplate = optionalString(body.vrfTemplate) ?? VRF_TEMPLATE;
    vrf.vrfExtensionTemplate = optionalString(body.vrfExtensionTemplate) ?? VRF_EXTENSION_TEMPLATE;
    if (body.vrfTemplateConfig !== undefined)
      vrf.vrfTemplateConfig = templateConfig(body.vrfTemplateConfig, "vrfTemplateConfig");
    vrf.tenantName = optionalString(body.tenantName) ?? null;
    list.push(vrf);
    this.vrfMap.set(fabric, list);
    return vrf;
  }

  /** Changing a deployed VRF leaves it PENDING until deployed again, as NDFC does. */
  updateVrf(fabric: string, name: string, input: unknown): Vrf {
    const body = requireObject(input);
    const vrf = this.vrf(fabric, name);
    if (body.vrfName !== undefined && body.vrfName !== name) throw invalid("vrfName in the body must match the path");
    const vrfId = optionalId(body.vrfId, "vrfId");
    if (vrfId !== undefined && vrfId !== vrf.vrfId && this.vrfs(fabric).some((v) => v.vrfId === vrfId)) {
      throw conflict(`vrfId ${vrfId} is already used in fabric ${fabric}`);
    }
    if (vrfId !== undefined) vrf.vrfId = vrfId;
    if (body.vrfTemplateConfig !== undefined)
      vrf.vrfTemplateConfig = templateConfig(body.vrfTemplateConfig, "vrfTemplateConfig");
    vrf.vrfTemplate = optionalString(body.vrfTemplate) ?? vrf.vrfTemplate;
    vrf.vrfExtensionTemplate = optionalString(body.vrfExtensionTemplate) ?? vrf.vrfExtensionTemplate;
    if (body.tenantName !== undefined) vrf.tenantName = optionalString(body.tenantName) ?? null;
    if (vrf.vrfStatus === "DEPLOYED") vrf.vrfStatus = "PENDING";
    return vrf;
  }

  deleteVrf(fabric: string, name: string): void {
    this.vrf(fabric, name);
    const users = this.networks(fabric).filter((n) => n.vrf === name);
    if (users.length > 0) {
      throw conflict(
        `VRF ${name} is used by networks ${users.map((n) => n.networkName).join(", ")}; delete them first`,
      );
    }
    this.vrfMap.set(
      fabric,
      this.vrfs(fabric).filter((v) => v.vrfName !== name),
    );
  }

  createNetwork(fabric: string, input: unknown): Network {
    const body = requireObject(input);
    const networkName = requireName(body.networkName, "networkName");
    const list = this.networks(fabric);
    if (list.some((n) => n.networkName === networkName))
      throw conflict(`Network ${networkName} already exists in fabric ${fabric}`);
    const vrf = requireName(body.vrf, "vrf");
    this.vrf(fabric, vrf);
    const networkId =
      optionalId(body.networkId, "networkId") ??
      nextFree(
        list.map((n) => n.networkId),
        30001,
      );
    if (list.some((n) => n.networkId === networkId))
      throw conflict(`networkId ${networkId} is already used in fabric ${fabric}`);
    const network = buildNetwork(fabric, this.nextId++, {
      networkName,
      networkId,
      vlanId: 2300 + (networkId % 1000),
      vrf,
      gatewayIpAddress: "",
      description: "",
      status: "NA",
    });
    network.networkTemplate = optionalString(body.networkTemplate) ?? NETWORK_TEMPLATE;
    network.networkExtensionTemplate = optionalString(body.networkExtensionTemplate) ?? NETWORK_EXTENSION_TEMPLATE;
    if (body.networkTemplateConfig !== undefined) {
      network.networkTemplateConfig = templateConfig(body.networkTemplateConfig, "networkTemplateConfig");
    }
    list.push(network);
    this.networkMap.set(fabric, list);
    return network;
  }

  updateNetwork(fabric: string, name: string, input: unknown): Network {
    const body = requireObject(input);
    const network = this.network(fabric, name);
    if (body.networkName !== undefined && body.networkName !== name)
      throw invalid("networkName in the body must match the path");
    if (body.vrf !== undefined) {
      const vrf = requireName(body.vrf, "vrf");
      this.vrf(fabric, vrf);
      network.vrf = vrf;
    }
    if (body.networkTemplateConfig !== undefined) {
      network.networkTemplateConfig = templateConfig(body.networkTemplateConfig, "networkTemplateConfig");
    }
    if (network.networkStatus === "DEPLOYED") network.networkStatus = "PENDING";
    return network;
  }

  deleteNetwork(fabric: string, name: string): void {
    this.network(fabric, name);
    this.networkMap.set(
      fabric,
      this.networks(fabric).filter((n) => n.networkName !== name),
    );
  }
}

function requireObject(input: unknown): Record<string, unknown> {
  if (!isRecord(input)) throw invalid("Request body must be a JSON object");
  return input;
}

function requireName(value: unknown, field: string): string {
  if (typeof value !== "string" || !OVERLAY_NAME.test(value)) {
    throw invalid(`${field} is required: 1-32 characters of letters, digits, '_', '.', ':' or '-'`);
  }
  return value;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

function optionalId(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const n = typeof value === "string" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 16777214)
    throw invalid(`${field} must be an integer 1-16777214`);
  return n;
}

/** Accepts the config as NDFC sends it (a JSON string) or as an object; stores it as a string. */
function templateConfig(value: unknown, field: string): string {
  if (isRecord(value)) return JSON.stringify(value);
  if (typeof value === "string") {
    try {
      if (isRecord(JSON.parse(value))) return value;
    } catch {
      // fall through to the error below
    }
  }
  throw invalid(`${field} must be a JSON object serialized as a string`);
}

function nextFree(used: number[], start: number): number {
  const taken = new Set(used);
  let id = start;
  while (taken.has(id)) id++;
  return id;
}
