/**
 * Turns loaded documents into a flat list of operations with their full paths (server base path
 * from `servers[0].url` + path template), role scopes, required query parameters and the success
 * response the simulator will answer with.
 */
import { deref } from "./resolve-ref.ts";
import {
  HTTP_METHODS,
  type MediaType,
  type OpenApiDocument,
  type OperationObject,
  type ParameterObject,
  type ResponseObject,
} from "./openapi-types.ts";
import type { LoadedSpec } from "./load-specs.ts";

export interface SpecOperation {
  api: string;
  doc: OpenApiDocument;
  method: string;
  /** Path template as written in the document. */
  path: string;
  fullPath: string;
  operationId: string;
  scopes?: string[];
  requiredQuery: string[];
  successStatus: number;
  media?: MediaType;
}

const SUCCESS_ORDER = ["200", "201", "202", "207", "204"];

export function serverBasePath(doc: OpenApiDocument): string {
  const url = doc.servers?.[0]?.url ?? "";
  const withoutScheme = url.replace(/^[a-z]+:\/\/[^/]*/i, "");
  return withoutScheme.replace(/\/+$/, "");
}

export function listOperations(spec: LoadedSpec): SpecOperation[] {
  const { doc } = spec;
  const base = serverBasePath(doc);
  const out: SpecOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const shared = (item.parameters as ParameterObject[] | undefined) ?? [];
    for (const method of HTTP_METHODS) {
      const op = item[method] as OperationObject | undefined;
      if (!op) continue;
      const parameters = [...shared, ...(op.parameters ?? [])].map((p) => deref(doc, p));
      const [status, response] = successResponse(doc, op);
      out.push({
        api: spec.api,
        doc,
        method: method.toUpperCase(),
        path,
        fullPath: `${base}${path}`,
        operationId: op.operationId ?? `${method} ${path}`,
        scopes: oauthScopes(op, doc),
        requiredQuery: parameters.filter((p) => p.in === "query" && p.required && p.name).map((p) => p.name as string),
        successStatus: status,
        media: response ? jsonMedia(response) : undefined,
      });
    }
  }
  return out;
}

function successResponse(doc: OpenApiDocument, op: OperationObject): [number, ResponseObject | undefined] {
  const responses = op.responses ?? {};
  const code = SUCCESS_ORDER.find((c) => c in responses) ?? Object.keys(responses).find((c) => /^2\d\d$/.test(c));
  if (!code) return [200, undefined];
  return [Number(code), deref(doc, responses[code] as ResponseObject)];
}

/** JSON if declared, else Orchestrator's `*` + `/*`, else whatever comes first. */
function jsonMedia(response: ResponseObject): MediaType | undefined {
  const content = response.content ?? {};
  const key =
    Object.keys(content).find((k) => k.includes("json")) ?? ("*/*" in content ? "*/*" : Object.keys(content)[0]);
  return key ? content[key] : undefined;
}

function oauthScopes(op: OperationObject, doc: OpenApiDocument): string[] | undefined {
  const requirements = op.security ?? doc.security;
  if (!requirements) return undefined;
  const scopes = requirements.flatMap((r) => r.OAuth2 ?? []);
  return scopes.length > 0 ? [...new Set(scopes)] : undefined;
}
