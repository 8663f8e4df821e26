// Our own small OpenAPI document for the core operations (written with the simulator,
// app/catalog/core.openapi.json). It is optional: without it the catalog is whatever was
// imported from Cisco's documents or from clusters.

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { readFileInput, type ImportInput } from "./import-inputs.ts";

export const CORE_DOCUMENT_PATH = resolve(import.meta.dir, "core.openapi.json");

/** The core document as an import input, or null when the file is not there. */
export async function readCoreDocument(path = CORE_DOCUMENT_PATH): Promise<ImportInput | null> {
  if (!existsSync(path)) return null;
  return readFileInput(path, "core.openapi.json");
}
