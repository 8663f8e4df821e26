// Cisco's ND 4.1 OpenAPI documents, read from the shared directory (never copied into the repo).

import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { loadOpenApi } from "../../app/catalog/openapi-load.ts";
import type { Operation } from "../../app/catalog/operation.ts";
import { extractOperations } from "../../app/catalog/operations.ts";

export const ND_OPENAPI_DIR = resolve(import.meta.dir, "../../../shared/nd-openapi");
export const ND_FILES = ["analyze.json", "infra.json", "manage.json", "onemanage.json", "orchestrator.json"] as const;
export const BAD_FILE = "bad/orchestrator-truncated.json";

export function readNdFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(resolve(ND_OPENAPI_DIR, name)));
}

let cached: Operation[] | null = null;

/** All 844 operations, extracted once per test process. */
export function allNdOperations(): Operation[] {
  if (cached) return cached;
  cached = ND_FILES.flatMap((name) => {
    const loaded = loadOpenApi({ name, bytes: readNdFile(name) });
    if (!loaded.ok) throw new Error(loaded.error);
    return extractOperations(loaded.document, name).operations;
  });
  return cached;
}

/** By catalog id or by `<api>.<original operationId>`. */
export function operation(id: string): Operation {
  const found = allNdOperations().find((op) => op.id === id || `${op.api}.${op.operationId}` === id);
  if (!found) throw new Error(`no operation ${id}`);
  return found;
}
