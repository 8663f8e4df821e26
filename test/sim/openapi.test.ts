import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import path from "node:path";
import { loadSpecs } from "../../sim/openapi/load-specs.ts";
import type { OpenApiDocument } from "../../sim/openapi/openapi-types.ts";
import { listOperations, type SpecOperation } from "../../sim/openapi/spec-operations.ts";
import { validateSchema } from "../../sim/openapi/validate-schema.ts";
import { bearer, simClient, SPECS_DIR, type SimClient } from "./sim-client.ts";

let c: SimClient;
let token: string;
const logLines: string[] = [];
beforeAll(async () => {
  c = await simClient({ specsDir: SPECS_DIR, log: (line) => logLines.push(line) });
  token = await c.login();
});
afterAll(() => c.sim.stop());

const find = (api: string, operationId: string) =>
  c.sim.specOperations.find((o) => o.api === api && o.operationId === operationId) as SpecOperation;

/** A concrete URL for an operation: path parameters filled in, required query parameters given. */
function concreteUrl(op: SpecOperation): string {
  const pathPart = op.fullPath.replace(/\{[^}]+\}/g, "x1");
  const query = op.requiredQuery
    .map((q) => `${q}=${q === "fabricName" ? "fabric1" : "2025-01-01T00:00:00Z"}`)
    .join("&");
  return query ? `${pathPart}?${query}` : pathPart;
}

describe("loading Cisco's documents", () => {
  test("all 844 operations of the five documents are loaded; the truncated file is skipped with a clear log line", () => {
    expect(c.sim.specOperations).toHaveLength(844);
    const perApi = Object.fromEntries(
      ["analyze", "infra", "manage", "onemanage", "orchestrator"].map((api) => [
        api,
        c.sim.specOperations.filter((o) => o.api === api).length,
      ]),
    );
    expect(perApi).toEqual({ analyze: 212, infra: 208, manage: 202, onemanage: 16, orchestrator: 206 });
    expect(c.sim.skippedSpecs.map((s) => s.file)).toEqual([path.join("bad", "orchestrator-truncated.json")]);
    const line = logLines.find((l) => l.includes("orchestrator-truncated.json"));
    expect(line).toContain("skipping");
    expect(line).toContain("truncated");
    expect(line).toContain("character 1931054");
  });

  test("operations are routed by full path: server base path + template", () => {
    const op = find("manage", "getFabricInventorySummary");
    expect(op.fullPath).toBe("/api/v1/manage/fabrics/{fabricName}/inventory/summary");
    expect(find("orchestrator", "listAllSites").fullPath).toBe("/mso/api/v2/sites/");
    expect(find("onemanage", "listOneManageFabricsSummary").requiredQuery).toEqual(["category"]);
  });
});

describe("answers for operations without a stateful implementation", () => {
  test("a sample of GETs from every document answers 2xx JSON that validates against its response schema", async () => {
    const sample = c.sim.specOperations.filter((o, i) => o.method === "GET" && i % 7 === 0);
    expect(sample.length).toBeGreaterThan(60);
    for (const op of sample) {
      const res = await c.call(concreteUrl(op), { headers: bearer(token) });
      const text = await res.text();
      const source = res.headers.get("x-ndsim-source");
      if (source === null) continue; // served by the stateful core instead
      expect({ op: op.operationId, status: res.status }).toEqual({ op: op.operationId, status: op.successStatus });
      if (op.successStatus === 204 || !op.media?.schema) continue;
      const error = validateSchema(op.doc, op.media.schema, JSON.parse(text));
      expect({ op: op.operationId, error }).toEqual({ op: op.operationId, error: undefined });
    }
  });

  test("writes answer with their documented success status (202 for async, 204 for deletes)", async () => {
    const backup = find("infra", "createBackup");
    const res = await c.call(concreteUrl(backup), { method: "POST", headers: bearer(token), body: "{}" });
    expect(res.status).toBe(backup.successStatus);
    const del = find("manage", "deleteFabricSwitch");
    expect((await c.call(concreteUrl(del), { method: "DELETE", headers: bearer(token) })).status).toBe(204);
  });

  test("a valid example from the spec is served as is", async () => {
    const res = await c.call("/api/v1/manage/fabrics/x1/inventory/summary", { headers: bearer(token) });
    expect(res.headers.get("x-ndsim-source")).toBe("example");
    expect(await res.json()).toEqual({ controllers: 3, switches: 50 });
  });

  test('examples wrapped in {"value": …} are served unwrapped when the content is valid', async () => {
    const res = await c.call("/api/v1/manage/fabrics/x1/actions/configSave", {
      method: "POST",
      headers: bearer(token),
      body: "{}",
    });
    expect(res.headers.get("x-ndsim-source")).toBe("example");
    expect(await res.json()).toEqual({ status: "Config save is completed" });
  });

  test('examples wrapped in {"value": …} are never served wrapped', async () => {
    const op = find("manage", "getUnusedVlans");
    const res = await c.call(concreteUrl(op), { headers: bearer(token) });
    const body = (await res.json()) as Record<string, unknown>;
    // Unwrapped, this example still contradicts its schema (strings for integer arrays): generate.
    expect(res.headers.get("x-ndsim-source")).toBe("generated");
    expect(Object.keys(body).sort()).toEqual(["unusedGlobalVlans", "unusedVlans"]);
    expect(validateSchema(op.doc, op.media!.schema, body)).toBeUndefined();
  });

  test("an example that contradicts its schema is not served: Infra GET /clusters gets an object, not the bare-array example", async () => {
    const res = await c.call("/api/v1/infra/clusters", { headers: bearer(token) });
    expect(res.headers.get("x-ndsim-source")).toBe("generated");
    const body = (await res.json()) as { clusters: unknown[] };
    expect(Array.isArray(body)).toBe(false);
    expect(Array.isArray(body.clusters)).toBe(true);
  });

  test("generated answers put secret-looking values in secret fields (for redaction tests)", async () => {
    const res = await c.call("/mso/api/v2/sites/", { headers: bearer(token) });
    expect(await res.text()).toMatch(/"password":"sim-secret-[0-9a-f]{16}"/);
  });

  test("blank secrets in Cisco's examples are filled in; masked API keys stay masked", async () => {
    const storages = await c.call("/api/v1/infra/remoteStorage", { headers: bearer(token) });
    expect(storages.headers.get("x-ndsim-source")).toBe("example");
    expect(await storages.text()).toMatch(/"password":"sim-secret-[0-9a-f]{16}"/);
    const keys = (await (await c.call("/api/v1/infra/aaa/apiKeys", { headers: bearer(token) })).json()) as {
      apiKeys: { apiKey: string }[];
    };
    expect(keys.apiKeys[0]!.apiKey).toContain("****");
  });

  test("a missing required query parameter is a unified 400", async () => {
    const res = await c.call("/api/v1/oneManage/manage/fabricsSummary", { headers: bearer(token) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { description: string }).description).toContain("category");
  });

  test("role scopes from the spec are enforced: observer may read but not use a super-admin-only GET", async () => {
    const observer = await c.login("observer");
    expect((await c.call("/api/v1/infra/clusters", { headers: bearer(observer) })).status).toBe(200);
    const res = await c.call("/api/v1/infra/aaa/localUsers", { headers: bearer(observer) });
    expect(res.status).toBe(403);
    expect((await c.call("/api/v1/infra/aaa/localUsers", { headers: bearer(token) })).status).toBe(200);
  });

  test("unknown paths are a unified 404 (after authentication); wrong methods a 405", async () => {
    expect((await c.call("/api/v1/manage/nothing-here")).status).toBe(401);
    const res = await c.call("/api/v1/manage/nothing-here", { headers: bearer(token) });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 404, message: "Not Found" });
    const wrong = await c.call("/api/v1/infra/clusterhealth/status", { method: "PATCH", headers: bearer(token) });
    expect(wrong.status).toBe(405);
  });

  test("the stateful core shadows the generated answer for the same operation", async () => {
    const res = await c.call("/api/v1/manage/fabrics", { headers: bearer(token) });
    expect(res.headers.get("x-ndsim-source")).toBeNull();
    const body = (await res.json()) as { fabrics: { name: string }[] };
    expect(body.fabrics.map((f) => f.name)).toEqual([...c.sim.state.fabrics.keys()]);
  });
});

describe("stateful core against Cisco's own schemas", () => {
  // Not listed: listFabricsSummary (Cisco's summaryProperties requires a `type` it never declares)
  // and getAllSwitchesSummary (schema says {counters: []}, examples and the reference say arrays).
  test("core answers validate against the response schemas of the matching Cisco operations", async () => {
    const fabric = [...c.sim.state.fabrics.keys()][0] as string;
    const serial = c.sim.state.switchesOf(fabric)[0]!.switchId;
    const checks: [string, string, string][] = [
      ["manage", "listFabrics", "/api/v1/manage/fabrics"],
      ["manage", "getFabricDetails", `/api/v1/manage/fabrics/${fabric}`],
      ["manage", "listFabricSwitches", `/api/v1/manage/fabrics/${fabric}/switches`],
      ["manage", "getFabricSwitch", `/api/v1/manage/fabrics/${fabric}/switches/${serial}`],
      ["manage", "listAllSwitches", "/api/v1/manage/inventory/switches"],
      ["analyze", "listFabricInterfaces", `/api/v1/analyze/interfaces?fabricName=${fabric}`],
      ["analyze", "getAnomalyDetails", "/api/v1/analyze/anomalies/details"],
      ["analyze", "getAnomaliesSummary", "/api/v1/analyze/anomalies/summary"],
      ["analyze", "getAdvisoriesSummary", "/api/v1/analyze/advisories/summary"],
      ["analyze", "getAdvisoriesDetails", "/api/v1/analyze/advisories/details"],
      ["infra", "getClusterHealtStatus", "/api/v1/infra/clusterhealth/status"],
      ["infra", "getClusterStatus", "/api/v1/infra/cluster/status"],
      ["infra", "listNodes", "/api/v1/infra/cluster/nodes"],
      ["orchestrator", "listSites", "/mso/api/v1/sites"],
    ];
    for (const [api, operationId, url] of checks) {
      const op = find(api, operationId);
      const res = await c.call(url, { headers: bearer(token) });
      expect(res.headers.get("x-ndsim-source")).toBeNull();
      const error = validateSchema(op.doc, op.media!.schema, await res.json());
      expect({ operationId, error }).toEqual({ operationId, error: undefined });
    }
  });
});

describe("schema validator", () => {
  const doc: OpenApiDocument = {
    components: {
      schemas: {
        Pet: {
          type: "object",
          required: ["kind"],
          properties: { kind: { type: "string", enum: ["cat", "dog"] }, age: { type: "integer", minimum: 0 } },
        },
        Either: { oneOf: [{ type: "string" }, { type: "integer" }] },
        Loose: { properties: { a: { type: "string" } } },
      },
    },
  };
  const v = (name: string, value: unknown) => validateSchema(doc, { $ref: `#/components/schemas/${name}` }, value);

  test("types, required, enums, bounds, oneOf exclusivity", () => {
    expect(v("Pet", { kind: "cat", age: 3 })).toBeUndefined();
    expect(v("Pet", { age: 3 })).toContain("missing required property kind");
    expect(v("Pet", { kind: "cow" })).toContain("enum");
    expect(v("Pet", { kind: "dog", age: -1 })).toContain("minimum");
    expect(v("Pet", { kind: "dog", age: 1.5 })).toContain("integer");
    expect(v("Either", 3)).toBeUndefined();
    expect(v("Either", true)).toContain("oneOf");
  });

  test("a schema with properties but no type still rejects arrays (the /clusters example defect)", () => {
    expect(v("Loose", [{ a: "x" }])).toContain("expected object");
    expect(v("Loose", { a: "x" })).toBeUndefined();
  });
});

describe("every loaded operation", () => {
  test("has an answer that validates against its schema (generated or example)", async () => {
    const { specs } = loadSpecs(SPECS_DIR, () => {});
    const { buildAnswer } = await import("../../sim/openapi/spec-routes.ts");
    const failures: string[] = [];
    for (const op of specs.flatMap(listOperations)) {
      const answer = buildAnswer(op, 1);
      if (answer.body === null || !op.media?.schema) continue;
      const error = validateSchema(op.doc, op.media.schema, JSON.parse(answer.body));
      if (error) failures.push(`${op.api}.${op.operationId}: ${error}`);
    }
    expect(failures).toEqual([]);
  });
});
