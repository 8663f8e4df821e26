import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { CORE_OPENAPI_PATH, serializeCoreOpenApi } from "../../sim/core-openapi/write-core-openapi.ts";
import type { OpenApiDocument, Schema } from "../../sim/openapi/openapi-types.ts";
import { resolvePointer } from "../../sim/openapi/resolve-ref.ts";
import { validateSchema } from "../../sim/openapi/validate-schema.ts";
import { bearer, simClient, type SimClient } from "./sim-client.ts";

const doc = JSON.parse(readFileSync(CORE_OPENAPI_PATH, "utf8")) as OpenApiDocument & {
  paths: Record<string, Record<string, any>>;
};
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
);

describe("app/catalog/core.openapi.json", () => {
  test("is exactly what the builder produces (no hand edits drift from the simulator)", () => {
    expect(readFileSync(CORE_OPENAPI_PATH, "utf8")).toBe(serializeCoreOpenApi());
  });

  test("covers the core reads and the four writes with stable operationIds", () => {
    const ids = operations.map((o) => o.op.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.sort()).toEqual(
      [
        "listFabrics",
        "createFabric",
        "getFabricDetails",
        "deleteFabric",
        "listFabricsSummary",
        "listFabricSwitches",
        "getFabricSwitch",
        "listAllSwitches",
        "getAllSwitchesSummary",
        "listVrfs",
        "createVrf",
        "deleteVrf",
        "listNetworks",
        "listFabricInterfaces",
        "getAnomalyDetails",
        "getAnomaliesSummary",
        "getAdvisoriesSummary",
        "getClusterHealtStatus",
        "getClusterStatus",
        "listNodes",
        "listSites",
        "getPlatformVersion",
        "getNdfcVersion",
      ].sort(),
    );
  });

  test("every operation has a summary, an x-nd-api, and role scopes (observer only on reads)", () => {
    expect(doc.openapi).toBe("3.0.3");
    expect(doc.servers?.[0]?.url).toBe("https://{cluster}");
    for (const { method, op } of operations) {
      expect(op.summary.length).toBeGreaterThan(5);
      expect(["manage", "analyze", "infra", "ndfc", "orchestrator", "platform"]).toContain(op["x-nd-api"]);
      const scopes: string[] = op.security[0].OAuth2;
      expect(scopes.includes("observer")).toBe(method === "GET");
    }
  });

  test("list operations page through $ref parameters; every $ref resolves", () => {
    const list = doc.paths["/api/v1/manage/inventory/switches"]!.get;
    const refs = list.parameters.map((p: { $ref?: string }) => p.$ref);
    for (const name of ["offset", "max", "filter", "sort"]) expect(refs).toContain(`#/components/parameters/${name}`);
    const all = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of all) expect(resolvePointer(doc, ref.slice(8, -1))).toBeDefined();
  });
});

describe("the simulator answers every core operation as documented", () => {
  let c: SimClient;
  let token: string;
  let values: Record<string, string>;
  beforeAll(async () => {
    c = await simClient();
    token = await c.login();
    const fabric = [...c.sim.state.fabrics.values()].find((f) => f.management.type.startsWith("vxlan"))!;
    values = {
      fabricName: fabric.name,
      fabric: fabric.name,
      switchId: c.sim.state.switchesOf(fabric.name)[0]!.switchId,
      vrfName: "doc-test-vrf",
    };
  });
  afterAll(() => c.sim.stop());

  const schemaOf = (op: any, status: string): Schema | undefined =>
    op.responses[status]?.content?.["application/json"]?.schema;

  test("GETs validate against the document's response schemas", async () => {
    for (const { path, op } of operations.filter((o) => o.method === "GET")) {
      const url =
        path.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!) +
        (op.operationId === "listFabricInterfaces" ? `?fabricName=${values.fabricName}` : "");
      const { status, body } = await c.getJson(url, token);
      expect({ op: op.operationId, status }).toEqual({ op: op.operationId, status: 200 });
      expect({ op: op.operationId, error: validateSchema(doc, schemaOf(op, "200"), body) }).toEqual({
        op: op.operationId,
        error: undefined,
      });
    }
  });

  test("the writes answer with their documented statuses and bodies", async () => {
    const post = (path: string, body: unknown) =>
      c.call(path, { method: "POST", headers: bearer(token), body: JSON.stringify(body) });
    const vrfs = `/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/top-down/fabrics/${values.fabric}/vrfs`;
    const created = await post(vrfs, { vrfName: values.vrfName });
    expect(created.status).toBe(200);
    expect(
      validateSchema(
        doc,
        schemaOf(doc.paths[`/appcenter/cisco/ndfc/api/v1/lan-fabric/rest/top-down/fabrics/{fabric}/vrfs`]!.post, "200"),
        await created.json(),
      ),
    ).toBeUndefined();
    expect((await c.call(`${vrfs}/${values.vrfName}`, { method: "DELETE", headers: bearer(token) })).status).toBe(200);

    const fabric = await post("/api/v1/manage/fabrics", { name: "doc-fabric" });
    expect(fabric.status).toBe(202);
    expect(
      validateSchema(doc, schemaOf(doc.paths["/api/v1/manage/fabrics"]!.post, "202"), await fabric.json()),
    ).toBeUndefined();
    expect(
      (await c.call("/api/v1/manage/fabrics/doc-fabric", { method: "DELETE", headers: bearer(token) })).status,
    ).toBe(204);
  });
});
