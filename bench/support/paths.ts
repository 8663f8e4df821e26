import { resolve } from "node:path";

export const REPO = resolve(import.meta.dir, "../..");
/** Cisco's ND 4.1 OpenAPI documents (844 operations), beside the repository. */
export const ND_OPENAPI_DIR = resolve(REPO, "../shared/nd-openapi");
