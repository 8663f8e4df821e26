// Which ND API a document describes, and the base path its operation paths hang off.
// The api name is also the catalog source name and the id prefix, so it must be stable:
// an explicit `x-nd-api` wins, then the server URL (`/api/v1/manage` → manage, `/mso` →
// orchestrator), then the file name.

import type { OpenApiDocument } from "./openapi-load.ts";
import { isRecord } from "./openapi-load.ts";
import { sanitizeApiName } from "./operation-id.ts";

export interface ApiIdentity {
  api: string;
  /** Path part of the server URL without a trailing slash: "/api/v1/manage", "/mso" or "". */
  basePath: string;
}

/** Base paths whose last segment is not the name people use. */
const KNOWN_BASES: Readonly<Record<string, string>> = {
  "/mso": "orchestrator",
};

/** Segments that name a version or the word "api" rather than the API itself. */
const GENERIC_SEGMENT = /^(api|v\d+(\.\d+)*)$/i;

export function apiIdentity(doc: OpenApiDocument, fileName: string): ApiIdentity {
  const basePath = serverBasePath(doc.servers);
  const explicit = explicitApiName(doc);
  if (explicit) return { api: sanitizeApiName(explicit), basePath };
  const known = KNOWN_BASES[basePath];
  if (known) return { api: known, basePath };
  const segment = basePath
    .split("/")
    .filter((s) => s !== "" && !GENERIC_SEGMENT.test(s))
    .pop();
  return { api: sanitizeApiName(segment ?? fileStem(fileName)), basePath };
}

function explicitApiName(doc: OpenApiDocument): string | null {
  const candidates = [doc["x-nd-api"], isRecord(doc.info) ? doc.info["x-nd-api"] : undefined];
  const found = candidates.find((c): c is string => typeof c === "string" && c.trim() !== "");
  return found ?? null;
}

/** "https://{cluster}/api/v1/analyze" → "/api/v1/analyze"; variables take their defaults. */
export function serverBasePath(servers: unknown): string {
  const first = Array.isArray(servers) ? servers[0] : undefined;
  if (!isRecord(first) || typeof first.url !== "string") return "";
  const url = substituteVariables(first.url, first.variables);
  const withoutOrigin = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, "");
  const path = withoutOrigin.split(/[?#]/)[0] ?? "";
  const trimmed = path.replace(/\/+$/, "");
  return trimmed === "" ? "" : trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

function substituteVariables(url: string, variables: unknown): string {
  return url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const variable = isRecord(variables) ? variables[name] : undefined;
    return isRecord(variable) && typeof variable.default === "string" ? variable.default : whole;
  });
}

/** "dir/core.openapi.json" → "core". */
export function fileStem(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  return base.replace(/\.(json|ya?ml)$/i, "").replace(/\.openapi$/i, "");
}
