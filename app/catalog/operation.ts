// The shape of one catalogued Nexus Dashboard operation. Everything the gateway needs to
// describe, authorise and call an operation is here, already resolved: the original
// operationId and full path for routing, parameters with every `$ref` inlined, and body /
// response schemas whose `$ref`s point into `schemas` (the operation's own closure of
// component schemas), so a stored operation never needs its source document again.

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE" | "PATCH";

export const HTTP_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "DELETE", "PATCH"];

export type RiskClass = "read" | "sensitive-read" | "write" | "destructive";

export const RISK_CLASSES: readonly RiskClass[] = ["read", "sensitive-read", "write", "destructive"];

/** A JSON Schema (OpenAPI 3.0 dialect) as found in the document; `$ref`s stay as written. */
export type JsonSchema = { readonly [key: string]: unknown };

export type ParamLocation = "path" | "query" | "header";

export interface OperationParam {
  name: string;
  in: ParamLocation;
  required: boolean;
  /** "string", "integer", "boolean", "number", "object", "string[]", … ("any" when unknown) */
  type: string;
  format?: string;
  enum?: Array<string | number | boolean>;
  default?: unknown;
  description?: string;
}

export interface OperationBody {
  contentType: string;
  required: boolean;
  /** multipart/form-data bodies are file uploads; they cannot be sent as JSON. */
  multipart: boolean;
  schema: JsonSchema | null;
}

export interface OperationResponse {
  status: string;
  contentType: string | null;
  schema: JsonSchema | null;
}

export interface Operation {
  /** Catalog id `<api>.<operationId>`, MCP tool-name safe, ≤ 64 chars, unique in the catalog. */
  id: string;
  /** ND API family: manage, analyze, infra, onemanage, orchestrator, ndfc, … (the id prefix). */
  api: string;
  /**
   * Catalog source (document) it came from. Equal to `api` for Cisco's one-API documents;
   * a multi-API document (our core.openapi.json, `x-nd-api` per operation) is one source.
   */
  source: string;
  /** operationId exactly as in the document (may contain spaces); used for routing. */
  operationId: string;
  method: HttpMethod;
  /** Server base path + path template, exactly as written: `/api/v1/manage/fabrics/{fabricName}`. */
  path: string;
  summary: string;
  /** True when the document had no summary and we wrote one. */
  summarySynthesized: boolean;
  description: string;
  tags: string[];
  /** ND role scopes (OAuth2 scopes of the operation or the document); empty when undeclared. */
  scopes: string[];
  parameters: OperationParam[];
  requestBody: OperationBody | null;
  response: OperationResponse | null;
  /** Component schemas reachable from requestBody/response, keyed by their `$ref` string. */
  schemas: Record<string, JsonSchema>;
  /** Response properties that look like secrets (password, privateKey, …): redact these. */
  secretFields: string[];
  risk: RiskClass;
  /** Why the risk class was chosen; shown in the UI and the audit log. */
  riskReason: string;
  idempotent: boolean;
}
