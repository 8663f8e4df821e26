import { describe, expect, test } from "bun:test";
import { loadOpenApi, type OpenApiDocument } from "../../app/catalog/openapi-load.ts";
import { TOOL_NAME_PATTERN } from "../../app/catalog/operation-id.ts";
import { extractOperations } from "../../app/catalog/operations.ts";
import { allNdOperations, operation } from "./nd-documents.ts";

describe("operations of the five ND 4.1 documents", () => {
  const ops = allNdOperations();

  test("exactly 844 operations with unique ids that satisfy the MCP tool-name rule", () => {
    expect(ops.length).toBe(844);
    expect(new Set(ops.map((o) => o.id)).size).toBe(844);
    for (const op of ops) expect(op.id).toMatch(TOOL_NAME_PATTERN);
  });

  test("per-API counts and base paths come from the server URLs", () => {
    const count = (api: string) => ops.filter((o) => o.api === api).length;
    expect([count("analyze"), count("infra"), count("manage"), count("onemanage"), count("orchestrator")]).toEqual([
      212, 208, 202, 16, 206,
    ]);
    expect(operation("manage.listFabrics").path).toBe("/api/v1/manage/fabrics");
    expect(operation("onemanage.listOneManageFabricsSummary").path).toBe("/api/v1/oneManage/manage/fabricsSummary");
    expect(operation("orchestrator.listSites").path).toBe("/mso/api/v1/sites");
  });

  test("$ref query parameters are resolved (Analyze anomaly details)", () => {
    const params = operation("analyze.getAnomalyDetails").parameters;
    const byName = new Map(params.map((p) => [p.name, p]));
    for (const name of ["offset", "max", "filter", "fabricName", "startDate", "endDate"]) {
      expect(byName.get(name)?.in).toBe("query");
    }
    expect(byName.get("offset")?.type).toBe("integer");
    expect(byName.get("startDate")?.format).toBe("date-time");
    expect(byName.get("fabricStatus")?.enum).toEqual(["all", "online", "offline"]);
    expect(byName.get("filter")?.description).toContain("Lucene");
  });

  test("no $ref survives in any parameter, and most query parameters came from $refs", () => {
    const query = ops.flatMap((o) => o.parameters).filter((p) => p.in === "query");
    expect(query.length).toBeGreaterThan(1300);
    expect(JSON.stringify(ops.map((o) => o.parameters))).not.toContain("$ref");
  });

  test("path parameters are required; header parameters are kept", () => {
    const fabricSwitch = operation("manage.getFabricSwitch");
    const pathParams = fabricSwitch.parameters.filter((p) => p.in === "path").map((p) => [p.name, p.required]);
    expect(pathParams.sort()).toEqual([
      ["fabricName", true],
      ["switchId", true],
    ]);
    expect(operation("infra.getAuditRecords").parameters.some((p) => p.in === "header")).toBe(true);
  });

  test("duplicate operationIds across files get distinct ids and keep their own paths", () => {
    expect(operation("manage.listAllSwitches").path).toBe("/api/v1/manage/inventory/switches");
    expect(operation("onemanage.listAllSwitches").path).toBe("/api/v1/oneManage/manage/inventory/switches");
    expect(operation("analyze.listFabricsSummary").path).toBe("/api/v1/analyze/telemetry/fabricsSummary");
    expect(operation("manage.listFabricsSummary").path).toBe("/api/v1/manage/fabricsSummary");
    expect(operation("infra.listServices").path).not.toBe(operation("analyze.listServices").path);
    const l3outs = ops
      .filter((o) => o.operationId === "listL3Outs")
      .map((o) => o.id)
      .sort();
    expect(l3outs).toEqual(["analyze.listL3Outs", "manage.listL3Outs", "orchestrator.listL3Outs"]);
  });

  test("odd operationIds keep the original for routing", () => {
    const history = operation("orchestrator.list_version_history");
    expect(history.operationId).toBe("list version history");
    const long = ops.find((o) => o.operationId === "listComplianceAnomalyRuleObjectSelectorPreviewResultTemplate")!;
    expect(long.id.length).toBe(64);
    expect(long.api).toBe("manage");
  });

  test("every operation has a summary; missing ones are synthesised", () => {
    for (const op of ops) expect(op.summary.trim().length).toBeGreaterThan(3);
    const synthesised = ops.filter((o) => o.summarySynthesized);
    expect(synthesised.length).toBe(118);
    expect(operation("infra.listBackups").summary).not.toBe("");
  });

  test("role scopes come from the operation's OAuth2 security; Orchestrator declares none", () => {
    expect(operation("infra.listLocalUsers").scopes).toEqual(["super-admin"]);
    expect(operation("manage.listFabrics").scopes).toContain("observer");
    expect(operation("orchestrator.listSites").scopes).toEqual([]);
  });

  test("request bodies: JSON schema kept with its $ref closure; multipart uploads flagged", () => {
    const create = operation("manage.createFabric");
    expect(create.requestBody?.contentType).toBe("application/json");
    expect(create.requestBody?.required).toBe(true);
    const ref = (create.requestBody?.schema as { $ref?: string }).$ref;
    expect(ref).toStartWith("#/components/schemas/");
    expect(create.schemas[ref!]).toBeDefined();
    const multipart = ops.filter((o) => o.requestBody?.multipart);
    expect(multipart.length).toBe(4);
    expect(operation("orchestrator.createSchema").requestBody?.contentType).toBe("*/*");
  });

  test("success responses: lowest 2xx, its content type and schema", () => {
    expect(operation("manage.listFabrics").response).toMatchObject({ status: "200", contentType: "application/json" });
    const deleted = operation("manage.deleteFabric").response;
    expect(deleted?.status).toMatch(/^2/);
  });

  test("response properties that look like secrets are listed for redaction", () => {
    expect(operation("orchestrator.listSites").secretFields).toContain("password");
    expect(operation("infra.listNodes").secretFields).toContain("password");
    expect(operation("analyze.getAnomalyDetails").secretFields).toEqual([]);
  });
});

describe("extractOperations on small documents", () => {
  const doc = (extra: Partial<OpenApiDocument>): OpenApiDocument => ({ openapi: "3.0.0", paths: {}, ...extra });

  test("x-nd-api wins over the server URL; path-level parameters merge; cyclic schemas are safe", () => {
    const extracted = extractOperations(
      doc({
        "x-nd-api": "core",
        servers: [{ url: "https://{cluster}/api/v1/manage", variables: { cluster: { default: "example.com" } } }],
        security: [{ OAuth2: ["observer"] }],
        paths: {
          "/things/{id}": {
            parameters: [{ name: "id", in: "path", schema: { type: "string" } }],
            get: {
              parameters: [{ $ref: "#/components/parameters/limit" }, { name: "Accept", in: "header" }],
              responses: {
                "200": { content: { "application/json": { schema: { $ref: "#/components/schemas/Node" } } } },
              },
            },
          },
        },
        components: {
          parameters: { limit: { name: "limit", in: "query", schema: { $ref: "#/components/schemas/Limit" } } },
          schemas: {
            Limit: { type: "integer", default: 10 },
            Node: {
              type: "object",
              properties: {
                child: { $ref: "#/components/schemas/Node" },
                peers: { type: "array", items: { $ref: "#/components/schemas/Node" } },
              },
            },
          },
        },
      }),
      "core.openapi.json",
    );
    expect(extracted.api).toBe("core");
    const [op] = extracted.operations;
    expect(op!.id).toBe("core.get_things_id");
    expect(op!.path).toBe("/api/v1/manage/things/{id}");
    expect(op!.scopes).toEqual(["observer"]);
    expect(op!.parameters).toEqual([
      { name: "id", in: "path", required: true, type: "string" },
      { name: "limit", in: "query", required: false, type: "integer", default: 10 },
    ]);
    expect(Object.keys(op!.schemas)).toEqual(["#/components/schemas/Node"]);
    expect(extracted.warnings).toEqual(['GET /things/{id}: no operationId, using "get_things_id"']);
  });

  test("x-nd-api on an operation sets its api (and id prefix); the document stays one source", () => {
    const { api, operations } = extractOperations(
      doc({
        paths: {
          "/api/v1/manage/fabrics": { get: { operationId: "listFabrics", "x-nd-api": "manage" } },
          "/api/v1/analyze/telemetry/fabricsSummary": {
            get: { operationId: "listFabricsSummary", "x-nd-api": "analyze" },
          },
          "/api/v1/manage/fabricsSummary": { get: { operationId: "listFabricsSummary", "x-nd-api": "manage" } },
          "/version.json": { get: { operationId: "getVersion" } },
        },
      }),
      "bundle.json",
    );
    expect(api).toBe("bundle");
    expect(operations.map((o) => [o.id, o.api, o.source])).toEqual([
      ["manage.listFabrics", "manage", "bundle"],
      ["analyze.listFabricsSummary", "analyze", "bundle"],
      ["manage.listFabricsSummary", "manage", "bundle"],
      ["bundle.getVersion", "bundle", "bundle"],
    ]);
  });

  test("a document without servers is named after its file", () => {
    const loaded = loadOpenApi({
      name: "lab.json",
      bytes: new TextEncoder().encode('{"openapi":"3.1.0","paths":{"/x":{"post":{"operationId":"doIt"}}}}'),
    });
    if (!loaded.ok) throw new Error(loaded.error);
    const { api, operations } = extractOperations(loaded.document, "lab.json");
    expect(api).toBe("lab");
    expect(operations[0]).toMatchObject({
      id: "lab.doIt",
      path: "/x",
      method: "POST",
      summary: "Do it",
      risk: "write",
      idempotent: false,
    });
  });
});
