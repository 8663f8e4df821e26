import { describe, expect, test } from "bun:test";
import { buildSearchIndex, searchCatalog } from "../../app/catalog/search.ts";
import { stem, withinOneEdit } from "../../app/catalog/search-text.ts";
import { allNdOperations } from "./nd-documents.ts";

const index = buildSearchIndex(allNdOperations());
const top = (query: string, limit = 3) => searchCatalog(index, query, { limit }).map((h) => h.id);

// Each question as an engineer might type it, with the operation that must be in the top 3.
const QUERIES: Array<[query: string, expected: string]> = [
  ["vrf list", "analyze.listVrfs"],
  ["switches in fabric", "manage.listFabricSwitches"],
  ["anomalies last day", "analyze.getAnomaliesSummary"],
  ["cluster health", "infra.getClusterHealtStatus"],
  ["tech support", "infra.getTechSupport"],
  ["techsupport", "infra.getDownloadTechSupport"],
  ["list fabrics", "manage.listFabrics"],
  ["fabric list", "manage.listFabrics"],
  ["anomaly details", "analyze.getAnomalyDetails"],
  ["anomaly summary", "analyze.getAnomaliesSummary"],
  ["backup download", "infra.executeBackupDownload"],
  ["api keys", "infra.listUserAPIKeys"],
  ["site list", "orchestrator.listSites"],
  ["credential stores", "infra.listCredentialsStores"],
  ["bgp neighbors", "analyze.listL3NeighborsDetails"],
  ["l3 neighbors", "analyze.listL3NeighborsDetails"],
  ["neighbor switches", "manage.listAllNeighborSwitches"],
  ["endpoints", "analyze.listEndpoints"],
  ["flows", "analyze.listFlows"],
  ["advisories", "analyze.getAdvisoriesDetails"],
  ["conformance eol", "analyze.listConformanceDetails"],
  ["nd nodes", "infra.listNodes"],
  ["ND cluster nodes", "infra.listNodes"],
  ["pending config", "manage.getSwitchPendingConfiguration"],
  ["config diff", "manage.getSwitchConfigurationDiff"],
  ["policies", "manage.getPolicies"],
  ["reload switch", "manage.executeReloadSwitches"],
  ["delete fabric", "manage.deleteFabric"],
  ["create fabric", "manage.createFabric"],
  ["ndo tenants", "orchestrator.getAllTenants"],
  ["ndo schemas", "orchestrator.getAllSchemas"],
  ["my roles", "infra.getUserRoles"],
  ["system resources", "infra.listSystemResourcesSummary"],
  ["audit records", "infra.getAuditRecords"],
  ["get all switches", "manage.listAllSwitches"],
  ["issues in my fabric", "analyze.getAnomalyDetails"],
  // typos and plurals
  ["swtiches", "manage.listAllSwitches"],
  ["cluster helth", "infra.getClusterHealtStatus"],
  ["fabrcis", "manage.listFabrics"],
  ["polices", "manage.getPolicies"],
  ["fabric summaries", "manage.listFabricsSummary"],
];

describe("catalog search", () => {
  test.each(QUERIES)("%p finds %s in the top 3", (query, expected) => {
    expect(top(query)).toContain(expected);
  });

  test("an exact id or operationId comes first", () => {
    expect(top("manage.getFabricSwitch", 1)).toEqual(["manage.getFabricSwitch"]);
    expect(top("listFabrics", 1)).toEqual(["manage.listFabrics"]);
    expect(top("listAllSwitches", 2).sort()).toEqual(["manage.listAllSwitches", "onemanage.listAllSwitches"]);
  });

  test("the filter restricts results (permissions)", () => {
    const reads = searchCatalog(index, "tech support", { limit: 20, filter: { risks: ["read"] } });
    expect(reads.every((h) => h.operation.risk === "read")).toBe(true);
    expect(reads.map((h) => h.id)).not.toContain("infra.getTechSupport");

    const allowed = ["manage.listFabrics", "manage.getFabricDetails"];
    expect(
      searchCatalog(index, "fabric", { limit: 10, filter: { ids: allowed } })
        .map((h) => h.id)
        .sort(),
    ).toEqual(allowed.sort());
    expect(
      searchCatalog(index, "fabric", { limit: 10, filter: { apis: ["onemanage"] } }).every(
        (h) => h.operation.api === "onemanage",
      ),
    ).toBe(true);
    expect(searchCatalog(index, "fabric", { filter: { ids: new Set<string>() } })).toEqual([]);
  });

  test("limit, empty and meaningless queries", () => {
    expect(searchCatalog(index, "switch", { limit: 7 }).length).toBe(7);
    expect(searchCatalog(index, "")).toEqual([]);
    expect(searchCatalog(index, "the of and")).toEqual([]);
    expect(searchCatalog(index, "zzzzqqqq")).toEqual([]);
  });

  test("writes rank below reads unless the question asks for a change", () => {
    expect(searchCatalog(index, "fabric switches", { limit: 1 })[0]!.operation.method).toBe("GET");
    expect(searchCatalog(index, "add switches to fabric", { limit: 1 })[0]!.id).toBe("manage.createFabricSwitches");
  });
});

describe("search text helpers", () => {
  test("plural folding", () => {
    expect(
      ["switches", "policies", "fabrics", "statuses", "prefixes", "devices", "address", "analysis", "vrfs"].map(stem),
    ).toEqual(["switch", "policy", "fabric", "status", "prefix", "device", "address", "analysis", "vrf"]);
  });

  test("one edit: substitution, insertion, deletion, transposition", () => {
    expect(withinOneEdit("swtich", "switch")).toBe(true);
    expect(withinOneEdit("helth", "health")).toBe(true);
    expect(withinOneEdit("healthh", "health")).toBe(true);
    expect(withinOneEdit("police", "policy")).toBe(true);
    expect(withinOneEdit("fabric", "fabulous")).toBe(false);
    expect(withinOneEdit("abcd", "badc")).toBe(false);
  });
});
