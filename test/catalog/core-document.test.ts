// Our own multi-API core document (written with the simulator): x-nd-api per operation.

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { CORE_DOCUMENT_PATH, readCoreDocument } from "../../app/catalog/core-document.ts";
import { isFailedInput } from "../../app/catalog/import-inputs.ts";
import { loadOpenApi } from "../../app/catalog/openapi-load.ts";
import { TOOL_NAME_PATTERN } from "../../app/catalog/operation-id.ts";
import { extractOperations } from "../../app/catalog/operations.ts";

describe.skipIf(!existsSync(CORE_DOCUMENT_PATH))("core.openapi.json", () => {
  const extract = async () => {
    const input = await readCoreDocument();
    if (!input || isFailedInput(input)) throw new Error("core document unreadable");
    const loaded = loadOpenApi({ name: input.fileName, bytes: input.bytes });
    if (!loaded.ok) throw new Error(loaded.error);
    return extractOperations(loaded.document, input.fileName);
  };

  test("is one source, its operations keyed by their own ND API", async () => {
    const extracted = await extract();
    expect(extracted.api).toBe("core");
    expect(extracted.warnings).toEqual([]);
    const ids = extracted.operations.map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(TOOL_NAME_PATTERN);
    for (const op of extracted.operations) {
      expect(op.source).toBe("core");
      expect(op.id).toBe(`${op.api}.${op.operationId}`);
    }
    expect(ids).toContain("manage.listFabrics");
    expect(ids).toContain("ndfc.listVrfs");
  });

  test("risk overrides apply by ND API, whichever document the operation came from", async () => {
    const { operations } = await extract();
    const byId = new Map(operations.map((o) => [o.id, o]));
    expect(byId.get("orchestrator.listSites")?.risk).toBe("sensitive-read");
    expect(byId.get("manage.listFabrics")?.risk).toBe("read");
    expect(byId.get("manage.deleteFabric")?.risk).toBe("destructive");
  });
});
