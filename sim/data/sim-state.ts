/**
 * The simulator's system of record: everything the core routes read and write. Built from the
 * seed at start; writes (fabrics, VRFs, networks) change it for all later reads. Roll-ups
 * (summaries, levels) are derived from the records, never stored beside them, so they cannot
 * disagree with the details; derived inventory views are memoized per inventory version, which
 * every fabric write bumps, so a benchmark with 10,000 switches does not recompute them per request.
 */
import { applyLevels, generateAdvisories, generateAnomalies } from "./alerts.ts";
import { clusterHealth, clusterStatus, generateNodes } from "./cluster.ts";
import { fabricTypeFor, generateFabric, managementFor } from "./fabrics.ts";
import { generateInterfaces } from "./interfaces.ts";
import type { Advisory, Anomaly, Fabric, FabricInterface, Network, Switch, Vrf } from "./model.ts";
import { generateOverlay, hasOverlay } from "./overlay.ts";
import { generateSites } from "./sites.ts";
import { generateSwitches } from "./switches.ts";
import { conflict, invalid, notFound } from "./state-errors.ts";
import { FABRIC_TYPES, LICENSE_TIERS, type FabricType } from "./vocabulary.ts";
import { isRecord } from "../http/route.ts";
import { OverlayStore } from "./overlay-store.ts";

const FABRIC_NAME = /^[a-zA-Z][a-zA-Z0-9_-]{0,63}$/;

export class SimState {
  readonly fabrics = new Map<string, Fabric>();
  private readonly switchesByFabric = new Map<string, Switch[]>();
  private readonly switchById = new Map<string, Switch>();
  private readonly anomaliesByFabric = new Map<string, Anomaly[]>();
  private readonly advisoriesByFabric = new Map<string, Advisory[]>();
  /** Interfaces are generated on first use per fabric and kept (≈60 MB at 50 × 200). */
  private readonly interfaceCache = new Map<string, FabricInterface[]>();
  private inventoryVersion = 0;
  private readonly memos = new Map<string, { version: number; value: unknown }>();
  readonly overlay = new OverlayStore();
  readonly nodes: ReturnType<typeof generateNodes>;
  readonly sites: ReturnType<typeof generateSites>;
  private readonly status: ReturnType<typeof clusterStatus>;

  constructor(
    readonly seed: number,
    fabricCount: number,
    switchesPerFabric: number,
  ) {
    const serials = new Set<string>();
    for (let i = 0; i < fabricCount; i++) {
      const fabric = generateFabric(seed, i);
      this.fabrics.set(fabric.name, fabric);
      this.populate(fabric, i, switchesPerFabric, serials);
    }
    this.nodes = generateNodes(seed);
    this.sites = generateSites(seed, [...this.fabrics.values()]);
    this.status = clusterStatus(seed);
  }

  private populate(fabric: Fabric, index: number, count: number, serials: Set<string>): void {
    const switches = generateSwitches(this.seed, fabric, index, count, serials);
    const anomalies = generateAnomalies(this.seed, fabric.name, switches);
    const advisories = generateAdvisories(this.seed, fabric.name, switches);
    applyLevels(switches, anomalies, advisories);
    this.switchesByFabric.set(fabric.name, switches);
    for (const sw of switches) this.switchById.set(sw.switchId, sw);
    this.anomaliesByFabric.set(fabric.name, anomalies);
    this.advisoriesByFabric.set(fabric.name, advisories);
    const overlay = generateOverlay(this.seed, fabric);
    this.overlay.load(fabric.name, overlay.vrfs, overlay.networks);
  }

  fabric(name: string): Fabric | undefined {
    return this.fabrics.get(name);
  }

  requireFabric(name: string): Fabric {
    const fabric = this.fabrics.get(name);
    if (!fabric) throw notFound(`Fabric ${name}`);
    return fabric;
  }

  switchesOf(fabricName: string): Switch[] {
    return this.switchesByFabric.get(fabricName) ?? [];
  }

  /** Shared, memoized array: callers must not mutate it. */
  allSwitches(): readonly Switch[] {
    return this.memo("allSwitches", () => [...this.switchesByFabric.values()].flat());
  }

  /** A value derived from the inventory, recomputed only after a fabric was created or deleted. */
  memo<T>(key: string, compute: () => T): T {
    const hit = this.memos.get(key);
    if (hit && hit.version === this.inventoryVersion) return hit.value as T;
    const value = compute();
    this.memos.set(key, { version: this.inventoryVersion, value });
    return value;
  }

  switchBySerial(serial: string): Switch | undefined {
    return this.switchById.get(serial);
  }

  anomaliesOf(fabricName?: string): Anomaly[] {
    if (fabricName !== undefined) return this.anomaliesByFabric.get(fabricName) ?? [];
    return this.memo("allAnomalies", () => [...this.anomaliesByFabric.values()].flat());
  }

  advisoriesOf(fabricName?: string): Advisory[] {
    if (fabricName !== undefined) return this.advisoriesByFabric.get(fabricName) ?? [];
    return this.memo("allAdvisories", () => [...this.advisoriesByFabric.values()].flat());
  }

  interfacesOf(fabricName: string): FabricInterface[] {
    const cached = this.interfaceCache.get(fabricName);
    if (cached) return cached;
    const list = this.switchesOf(fabricName).flatMap((sw) => generateInterfaces(this.seed, sw));
    this.interfaceCache.set(fabricName, list);
    return list;
  }

  interfacesOfSwitch(serial: string): FabricInterface[] {
    const sw = this.switchById.get(serial);
    return sw ? generateInterfaces(this.seed, sw) : [];
  }

  clusterHealth() {
    return clusterHealth(this.nodes, new Date().toISOString().replace(/\.\d{3}Z$/, "Z"));
  }

  clusterStatus() {
    return this.status;
  }

  /** Creates an empty fabric from a createFabric body; unknown fields are kept as sent. */
  createFabric(input: unknown): Fabric {
    if (!isRecord(input)) throw invalid("Request body must be a fabric object");
    const name = input.name;
    if (typeof name !== "string" || !FABRIC_NAME.test(name)) {
      throw invalid("name is required: 1-64 characters, a letter first, then letters, digits, '_' or '-'");
    }
    if (input.category !== undefined && input.category !== "fabric")
      throw invalid("Only category 'fabric' can be created");
    if (this.fabrics.has(name)) throw conflict(`Fabric ${name} already exists`);
    return this.insertFabric(name, input);
  }

  private insertFabric(name: string, input: Record<string, unknown>): Fabric {
    const management = isRecord(input.management) ? input.management : {};
    const type = (management.type ?? fabricTypeFor(0)) as FabricType;
    if (!FABRIC_TYPES.includes(type)) throw invalid(`management.type must be one of ${FABRIC_TYPES.join(", ")}`);
    const tier = input.licenseTier ?? "essentials";
    if (!LICENSE_TIERS.includes(tier as (typeof LICENSE_TIERS)[number]))
      throw invalid(`licenseTier must be one of ${LICENSE_TIERS.join(", ")}`);
    const fabric: Fabric = {
      ...generateFabric(this.seed, this.fabrics.size),
      ...input,
      name,
      category: "fabric",
      licenseTier: tier as string,
      management: { ...managementFor(type, 65000 + this.fabrics.size + 1, 1), ...management, type },
    } as Fabric;
    this.fabrics.set(name, fabric);
    this.inventoryVersion++;
    this.switchesByFabric.set(name, []);
    this.anomaliesByFabric.set(name, []);
    this.advisoriesByFabric.set(name, []);
    this.overlay.load(name, [], []);
    return fabric;
  }

  deleteFabric(name: string): void {
    this.requireFabric(name);
    for (const sw of this.switchesOf(name)) this.switchById.delete(sw.switchId);
    this.fabrics.delete(name);
    this.inventoryVersion++;
    this.switchesByFabric.delete(name);
    this.anomaliesByFabric.delete(name);
    this.advisoriesByFabric.delete(name);
    this.interfaceCache.delete(name);
    this.overlay.drop(name);
  }

  overlayCapable(fabricName: string): boolean {
    return hasOverlay(this.requireFabric(fabricName));
  }

  vrfsOf(fabricName: string): Vrf[] {
    this.requireFabric(fabricName);
    return this.overlay.vrfs(fabricName);
  }

  networksOf(fabricName: string): Network[] {
    this.requireFabric(fabricName);
    return this.overlay.networks(fabricName);
  }
}
