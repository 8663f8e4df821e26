import { describe, expect, test } from "bun:test";
import type { HttpMethod, RiskClass } from "../../app/catalog/operation.ts";
import { classifyRisk, isIdempotent } from "../../app/catalog/risk.ts";
import { RISK_OVERRIDES } from "../../app/catalog/risk-overrides.ts";
import { allNdOperations, operation } from "./nd-documents.ts";

// Reviewed by hand against reference §8 and the documents' summaries.
const REVIEWED: Array<[id: string, risk: RiskClass]> = [
  // credential stores and switch credentials
  ["infra.listCredentialsStores", "sensitive-read"],
  ["infra.getCredentialsStoresByType", "sensitive-read"],
  ["manage.listSwitchCredentials", "sensitive-read"],
  ["manage.getRobotSwitchCredentials", "sensitive-read"],
  ["manage.executeValidateSwitchCredentials", "sensitive-read"],
  ["manage.createSwitchCredentials", "write"],
  // archives: tech support and backups
  ["infra.getDownloadTechSupport", "sensitive-read"],
  ["infra.getTechSupport", "sensitive-read"],
  ["infra.executeBackupDownload", "sensitive-read"],
  ["infra.listBackups", "sensitive-read"],
  ["infra.executeRestore", "destructive"],
  // API keys and users
  ["infra.listUserAPIKeys", "sensitive-read"],
  ["infra.getSpecificAPIKey", "sensitive-read"],
  ["infra.createUserAPIKey", "write"],
  ["infra.deleteUserAPIKeyByID", "destructive"],
  ["infra.listLocalUsers", "sensitive-read"],
  ["infra.getClusterConfig", "sensitive-read"],
  ["onemanage.getApicData", "sensitive-read"],
  ["onemanage.createApicData", "destructive"],
  // Orchestrator: sites carry the APIC password; two GETs change state
  ["orchestrator.listSites", "sensitive-read"],
  ["orchestrator.listSiteById", "sensitive-read"],
  ["orchestrator.syncVersion", "write"],
  ["orchestrator.resync", "write"],
  ["orchestrator.forcedClear", "destructive"],
  // POSTs that only compute
  ["manage.executeSwitchConfigurationPreview", "read"],
  ["manage.listComplianceAnomalyRuleObjectSelectorPreviewResults", "read"],
  ["manage.listComplianceAnomalyRuleObjectSelectorPreviewResultTemplate", "read"],
  ["orchestrator.getViewFirmwareFirmwareAttributes", "read"],
  // deletes, bulk deletes, deploys, reloads, reboots, upgrades
  ["manage.deleteFabric", "destructive"],
  ["manage.deleteFabricSwitches", "destructive"],
  ["manage.deletePoliciesForIds", "destructive"],
  ["manage.createPushPolicies", "destructive"],
  ["orchestrator.createBulkDeployTask", "destructive"],
  ["orchestrator.createTask2", "destructive"],
  ["manage.executeRedeployFabrics", "destructive"],
  ["manage.executeReloadSwitches", "destructive"],
  ["infra.executeRebootNode", "destructive"],
  ["infra.executeInstallFirmware", "destructive"],
  ["manage.createSoftwareUpdate", "destructive"],
  ["orchestrator.restoreTemplateVersion", "destructive"],
  // ordinary writes, including ones that only sound destructive
  ["manage.createFabric", "write"],
  ["manage.updatefabricDetails", "write"],
  ["manage.replaceAccessControlList", "write"],
  ["manage.executeRediscoverSwitches", "write"],
  ["analyze.createFabricUpgradeReport", "write"],
  ["manage.replaceFabricDeploymentFreezeMode", "write"],
  // everyday reads
  ["manage.listFabrics", "read"],
  ["manage.listAllSwitches", "read"],
  ["analyze.getAnomalyDetails", "read"],
  ["infra.getClusterHealtStatus", "read"],
  ["orchestrator.getAllTenants", "read"],
];

describe("risk classes of the ND 4.1 operations", () => {
  test.each(REVIEWED)("%s is %s", (id, risk) => {
    expect(operation(id).risk).toBe(risk);
  });

  test("every override names an operation that exists", () => {
    const keys = new Set(allNdOperations().map((o) => `${o.api}.${o.operationId}`));
    expect(Object.keys(RISK_OVERRIDES).filter((k) => !keys.has(k))).toEqual([]);
  });

  test("every DELETE is destructive and every reason is non-empty", () => {
    for (const op of allNdOperations()) {
      if (op.method === "DELETE") expect(op.risk).toBe("destructive");
      expect(op.riskReason.length).toBeGreaterThan(2);
    }
  });

  test("distribution stays plausible", () => {
    const count = (risk: RiskClass) => allNdOperations().filter((o) => o.risk === risk).length;
    expect(count("read")).toBeGreaterThan(450);
    expect(count("sensitive-read")).toBeGreaterThanOrEqual(40);
    expect(count("destructive")).toBeGreaterThan(90);
  });
});

describe("classifyRisk rule (no overrides)", () => {
  const classify = (method: HttpMethod, operationId: string, path: string, scopes: string[] = []) =>
    classifyRisk({ api: "lab", method, operationId, path, scopes }, {}).risk;

  test("GET", () => {
    expect(classify("GET", "listWidgets", "/widgets", ["observer", "super-admin"])).toBe("read");
    expect(classify("GET", "listRouterPasswords", "/routers")).toBe("sensitive-read");
    expect(classify("GET", "getThing", "/things/{id}/actions/download/techsupport")).toBe("sensitive-read");
    expect(classify("GET", "getTrustedSecureKey", "/keys")).toBe("sensitive-read");
    expect(classify("GET", "getWidget", "/widgets", ["super-admin"])).toBe("sensitive-read");
    expect(classify("GET", "syncAll", "/widgets/sync")).toBe("write");
  });

  test("other methods", () => {
    expect(classify("DELETE", "dropWidget", "/widgets/{id}")).toBe("destructive");
    expect(classify("POST", "executeWidgetAction", "/widgets/{id}/actions/reboot")).toBe("destructive");
    expect(classify("POST", "deployConfig", "/config")).toBe("destructive");
    expect(classify("PUT", "replaceWidget", "/widgets/{id}")).toBe("write");
    expect(classify("POST", "executeReplaceNode", "/nodes/{n}/actions/replace")).toBe("destructive");
    expect(classify("POST", "previewWidget", "/widgets/preview")).toBe("write"); // POSTs are never inferred harmless
    expect(classify("PATCH", "patchWidget", "/widgets/{id}")).toBe("write");
  });

  test("overrides win and say so", () => {
    const decision = classifyRisk(
      { api: "lab", method: "POST", operationId: "previewWidget", path: "/p", scopes: [] },
      { "lab.previewWidget": { risk: "read", reason: "preview" } },
    );
    expect(decision).toEqual({ risk: "read", reason: "override: preview" });
  });

  test("idempotency: GET/PUT/DELETE yes; POST/PATCH only when they read", () => {
    expect(isIdempotent("GET", "read")).toBe(true);
    expect(isIdempotent("PUT", "write")).toBe(true);
    expect(isIdempotent("DELETE", "destructive")).toBe(true);
    expect(isIdempotent("POST", "write")).toBe(false);
    expect(isIdempotent("POST", "read")).toBe(true);
    expect(isIdempotent("PATCH", "write")).toBe(false);
    expect(operation("manage.executeSwitchConfigurationPreview").idempotent).toBe(true);
    expect(operation("manage.createFabric").idempotent).toBe(false);
  });
});

describe("an override keyed by id cannot make a destructive method harmless (issue 12)", () => {
  const overridden = Object.entries(RISK_OVERRIDES).filter(([, o]) => o.risk === "read" || o.risk === "sensitive-read");
  for (const method of ["DELETE", "PUT", "PATCH"] as HttpMethod[]) {
    test(`a ${method} carrying the id of every read override is classified by its method`, () => {
      for (const [key] of overridden) {
        const [api, ...rest] = key.split(".");
        const d = classifyRisk({
          api: api!,
          operationId: rest.join("."),
          method,
          path: "/api/v1/things/{id}",
          scopes: [],
        });
        expect(d.risk === "write" || d.risk === "destructive", `${method} ${key}: ${d.risk}`).toBe(true);
        if (method === "DELETE") expect(d.risk).toBe("destructive");
      }
    });
  }

  test("GETs named refresh, rediscover, resync, recalculate, rescan change state", () => {
    for (const id of ["refreshInventory", "rediscoverSwitch", "resyncFabric", "recalculateConfig", "rescanDevices"]) {
      expect(classifyRisk({ api: "manage", operationId: id, method: "GET", path: "/api/v1/x", scopes: [] }).risk).toBe(
        "write",
      );
    }
  });
});
