import { describe, expect, test } from "bun:test";
import { loadOpenApi } from "../../app/catalog/openapi-load.ts";
import { BAD_FILE, readNdFile } from "./nd-documents.ts";

const load = (name: string, text: string) => loadOpenApi({ name, bytes: new TextEncoder().encode(text) });

describe("loadOpenApi", () => {
  test("the truncated Orchestrator document is rejected with file, line, column and offset", () => {
    const result = loadOpenApi({ name: BAD_FILE, bytes: readNdFile(BAD_FILE) });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toBe(
      "bad/orchestrator-truncated.json: invalid JSON at line 51343, column 6 (offset 1931054): unexpected end of input, expected ',' or '}'",
    );
  });

  test("a valid ND document loads with its hash", () => {
    const result = loadOpenApi({ name: "onemanage.json", bytes: readNdFile("onemanage.json") });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.document.openapi).toBe("3.0.3");
      expect(result.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  test("structurally invalid documents get a clear error naming the file", () => {
    const cases: Array<[string, string]> = [
      ['{"swagger": "2.0", "paths": {}}', "x.json: Swagger 2.0 is not supported, only OpenAPI 3.x"],
      ['{"openapi": "2.0", "paths": {}}', 'x.json: unsupported OpenAPI version "2.0" (only 3.x)'],
      ['{"info": {}}', 'x.json: not an OpenAPI 3 document (no "openapi" field)'],
      ['{"openapi": "3.0.3"}', 'x.json: not an OpenAPI 3 document (no "paths" object)'],
      ['{"openapi": "3.0.3", "paths": {}}', 'x.json: the "paths" object is empty: no operations to import'],
      ["[1, 2]", "x.json: not an OpenAPI document (the top level is not an object)"],
    ];
    for (const [text, error] of cases) expect(load("x.json", text)).toEqual({ ok: false, error });
  });

  test("syntax errors in small documents report line and column", () => {
    expect(load("y.json", '{\n  "openapi": "3.0.3",\n  "paths": {,}\n}')).toEqual({
      ok: false,
      error:
        "y.json: invalid JSON at line 3, column 13 (offset 36): unexpected character \",\", expected a property name or '}' in double quotes",
    });
  });

  test("offsets count bytes, columns count characters", () => {
    const result = load("u.json", '{"é": x}');
    expect(result).toEqual({
      ok: false,
      error: 'u.json: invalid JSON at line 1, column 7 (offset 7): unexpected character "x", expected a value',
    });
  });

  test("invalid UTF-8 and a UTF-8 BOM", () => {
    expect(loadOpenApi({ name: "b.json", bytes: new Uint8Array([0x7b, 0xff, 0x7d]) })).toEqual({
      ok: false,
      error: "b.json: not valid UTF-8 text",
    });
    expect(load("bom.json", '\uFEFF{"openapi": "3.0.0", "paths": {"/a": {}}}').ok).toBe(true);
  });

  test("YAML documents are accepted", () => {
    const result = load("mini.yaml", "openapi: 3.0.0\npaths:\n  /things:\n    get:\n      operationId: listThings\n");
    expect(result.ok).toBe(true);
  });
});
