import { describe, expect, test } from "bun:test";
import { renderOneLine, renderOperation, renderParam, renderParams } from "../../app/catalog/compact.ts";
import { renderSchema } from "../../app/catalog/compact-schema.ts";
import { allNdOperations, operation } from "./nd-documents.ts";

describe("one-line rendering", () => {
  test("id, method, path, summary and risk", () => {
    expect(renderOneLine(operation("manage.listFabrics"))).toBe(
      `manage.listFabrics  GET /api/v1/manage/fabrics — ${operation("manage.listFabrics").summary} [read]`,
    );
    expect(renderOneLine({ id: "x.y", method: "POST", path: "/p", summary: "Two\n  lines", risk: "write" })).toBe(
      "x.y  POST /p — Two lines [write]",
    );
  });
});

describe("parameter list", () => {
  test("required first and marked, enums inline, defaults, long descriptions cut", () => {
    const text = renderParams([
      {
        name: "severity",
        in: "query",
        required: false,
        type: "string",
        enum: ["a", "b", "c"],
        default: "a",
        description: "x".repeat(200),
      },
      { name: "fabricName", in: "path", required: true, type: "string", description: "Name of the fabric" },
    ]);
    const lines = text.split("\n");
    expect(lines[0]).toBe("fabricName*: string (path) — Name of the fabric");
    expect(lines[1]).toStartWith('severity: "a"|"b"|"c" (query) = "a" — xxx');
    expect(lines[1]!.endsWith("…")).toBe(true);
    expect(lines[1]!.length).toBeLessThan(130);
  });

  test("many enum values are elided and formats shown", () => {
    const values = Array.from({ length: 12 }, (_, i) => `v${i}`);
    expect(renderParam({ name: "e", in: "query", required: false, type: "string", enum: values }, { maxEnum: 3 })).toBe(
      'e: "v0"|"v1"|"v2"|…(+9) (query)',
    );
    expect(renderParam({ name: "t", in: "query", required: false, type: "string", format: "date-time" })).toBe(
      "t: string<date-time> (query)",
    );
    expect(renderParams([])).toBe("(no parameters)");
  });

  test("Analyze anomaly details: every parameter on one short line", () => {
    const text = renderParams(operation("analyze.getAnomalyDetails").parameters);
    for (const line of text.split("\n")) expect(line.length).toBeLessThan(260);
    expect(text).toContain("offset: integer (query)");
  });
});

describe("schema rendering", () => {
  test("createFabric body: top-level fields all listed, nested objects cut, within 1,500 characters", () => {
    const op = operation("manage.createFabric");
    const text = renderSchema(op.requestBody!.schema, op.schemas, { maxChars: 1500 });
    expect(text.length).toBeLessThanOrEqual(1500);
    expect(text).toContain("name*: string");
    expect(text).toContain('category*: "fabric"|"fabricGroup"|"multiClusterFabricGroup"');
    expect(text).toMatch(/management\*: \{…\d+ fields\}/);
    expect(text).not.toContain("$ref");
  });

  test("a tight budget cuts fields and says how many", () => {
    const op = operation("manage.createFabric");
    const text = renderSchema(op.requestBody!.schema, op.schemas, { maxChars: 200 });
    expect(text.length).toBeLessThanOrEqual(200);
    expect(text).toMatch(/…\(\d+ more (fields|variants)\)/);
  });

  test("every body and response of the 844 operations fits every budget", () => {
    for (const budget of [120, 400, 1500]) {
      for (const op of allNdOperations()) {
        for (const schema of [op.requestBody?.schema, op.response?.schema]) {
          expect(renderSchema(schema, op.schemas, { maxChars: budget }).length).toBeLessThanOrEqual(budget);
        }
      }
    }
  });

  test("cycles, allOf, arrays, maps, enums and depth limits", () => {
    const schemas = {
      "#/components/schemas/Node": {
        type: "object",
        required: ["name"],
        properties: {
          name: { type: "string" },
          children: { type: "array", items: { $ref: "#/components/schemas/Node" } },
        },
      },
      "#/components/schemas/Base": { type: "object", properties: { id: { type: "integer" } }, required: ["id"] },
    };
    expect(renderSchema({ $ref: "#/components/schemas/Node" }, schemas)).toBe("{ name*: string; children: ↻Node[] }");
    expect(
      renderSchema(
        { allOf: [{ $ref: "#/components/schemas/Base" }, { properties: { tag: { enum: ["a", "b"] } } }] },
        schemas,
      ),
    ).toBe('{ id*: integer; tag: "a"|"b" }');
    expect(renderSchema({ type: "object", additionalProperties: { type: "string" } })).toBe("{[key: string]: string}");
    expect(
      renderSchema(
        {
          type: "object",
          properties: {
            a: { type: "object", properties: { b: { type: "object", properties: { c: { type: "string" } } } } },
          },
        },
        {},
        { maxDepth: 2 },
      ),
    ).toBe("{ a: { b: {…1 fields} } }");
    expect(renderSchema({ type: "string", format: "binary" })).toBe("binary");
    expect(renderSchema(null)).toBe("none");
  });
});

describe("whole-operation rendering", () => {
  test("stays compact for every operation (measured)", () => {
    const lengths = allNdOperations().map((op) => renderOperation(op).length);
    const total = lengths.reduce((a, b) => a + b, 0);
    expect(Math.max(...lengths)).toBeLessThan(4000);
    expect(total / lengths.length).toBeLessThan(1000);
  });

  test("a multipart upload says so", () => {
    const text = renderOperation(operation("manage.createComplianceAnomalyRuleFileUpload"));
    expect(text).toContain("multipart/form-data (file upload)");
    expect(text).toContain("file: binary");
  });
});
