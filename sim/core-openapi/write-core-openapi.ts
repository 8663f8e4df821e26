/** Writes app/catalog/core.openapi.json from the builder (run after changing the builder). */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { buildCoreOpenApi } from "./core-openapi.ts";

export const CORE_OPENAPI_PATH = resolve(import.meta.dir, "../../app/catalog/core.openapi.json");

export function serializeCoreOpenApi(): string {
  return `${JSON.stringify(buildCoreOpenApi(), null, 2)}\n`;
}

if (import.meta.main) {
  mkdirSync(dirname(CORE_OPENAPI_PATH), { recursive: true });
  writeFileSync(CORE_OPENAPI_PATH, serializeCoreOpenApi());
  console.log(`wrote ${CORE_OPENAPI_PATH}`);
}
