// Extracts the catalog's Operation records from one OpenAPI 3 document. Lenient about the
// many small defects of the ND documents (reference §10.1): missing summaries are written,
// `$ref` parameters, bodies and responses are resolved, odd operationIds are sanitised, and
// anything unusable is reported as a warning instead of failing the whole document.

import { apiIdentity } from "./api-name.ts";
import { SchemaClosure, deref, inlineSchema, refOf } from "./json-ref.ts";
import type { OpenApiDocument } from "./openapi-load.ts";
import { isRecord } from "./openapi-load.ts";
import type {
  HttpMethod,
  JsonSchema,
  Operation,
  OperationBody,
  OperationParam,
  OperationResponse,
  ParamLocation,
} from "./operation.ts";
import { assignCatalogIds, sanitizeApiName } from "./operation-id.ts";
import { classifyRisk, isIdempotent } from "./risk.ts";
import { RISK_OVERRIDES, type RiskOverrides } from "./risk-overrides.ts";
import { secretFieldsOf } from "./secret-fields.ts";
import { splitWords } from "./words.ts";

export interface ExtractedDocument {
  /** The document's API name, which is its catalog source name. */
  api: string;
  basePath: string;
  title: string;
  version: string;
  operations: Operation[];
  warnings: string[];
}

const METHODS: ReadonlyArray<readonly [string, HttpMethod]> = [
  ["get", "GET"],
  ["post", "POST"],
  ["put", "PUT"],
  ["delete", "DELETE"],
  ["patch", "PATCH"],
];

const PARAM_LOCATIONS = new Set<string>(["path", "query", "header"]);
const IGNORED_HEADERS = new Set(["accept", "content-type", "authorization"]);

/** What one path + method contributes before ids are assigned. */
interface RawOperation {
  /** `x-nd-api` of the operation, else the document's api. */
  api: string;
  method: HttpMethod;
  relativePath: string;
  operationId: string;
  op: Record<string, unknown>;
  pathParams: unknown[];
}

export function extractOperations(
  doc: OpenApiDocument,
  fileName: string,
  overrides: RiskOverrides = RISK_OVERRIDES,
): ExtractedDocument {
  const { api, basePath } = apiIdentity(doc, fileName);
  const warnings: string[] = [];
  const raws = collectRawOperations(doc, api, warnings);
  const ids = idsByApi(raws);
  const closure = new SchemaClosure(doc);
  const documentScopes = scopesOf(doc.security);
  const operations = raws.map((raw) =>
    buildOperation(doc, raw, {
      source: api,
      basePath,
      id: ids.get(`${raw.api}:${raw.operationId}`)!,
      closure,
      documentScopes,
      overrides,
    }),
  );
  return {
    api,
    basePath,
    title: typeof doc.info?.title === "string" ? doc.info.title : api,
    version: typeof doc.info?.version === "string" ? doc.info.version : "",
    operations,
    warnings,
  };
}

/** Ids are unique per api prefix, so they are assigned per api ("api:operationId" → id). */
function idsByApi(raws: readonly RawOperation[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const api of new Set(raws.map((r) => r.api))) {
    const assigned = assignCatalogIds(
      api,
      raws.filter((r) => r.api === api).map((r) => r.operationId),
    );
    for (const [operationId, id] of assigned) ids.set(`${api}:${operationId}`, id);
  }
  return ids;
}

/** A per-operation `x-nd-api` (multi-API documents such as our core document). */
function operationApi(op: Record<string, unknown>, documentApi: string): string {
  const explicit = op["x-nd-api"];
  return typeof explicit === "string" && explicit.trim() !== "" ? sanitizeApiName(explicit) : documentApi;
}

function collectRawOperations(doc: OpenApiDocument, documentApi: string, warnings: string[]): RawOperation[] {
  const raws: RawOperation[] = [];
  const seen = new Set<string>();
  for (const [relativePath, rawItem] of Object.entries(doc.paths)) {
    const item = deref(doc, rawItem);
    if (!isRecord(item)) {
      warnings.push(`path ${relativePath}: not an object, skipped`);
      continue;
    }
    const pathParams = Array.isArray(item.parameters) ? item.parameters : [];
    for (const [key, method] of METHODS) {
      const op = item[key];
      if (!isRecord(op)) continue;
      const api = operationApi(op, documentApi);
      let operationId = typeof op.operationId === "string" && op.operationId.trim() !== "" ? op.operationId : "";
      if (operationId === "" || seen.has(`${api}:${operationId}`)) {
        const replacement = syntheticOperationId(method, relativePath);
        warnings.push(
          `${method} ${relativePath}: ${operationId === "" ? "no operationId" : `duplicate operationId "${operationId}"`}, using "${replacement}"`,
        );
        operationId = replacement;
      }
      seen.add(`${api}:${operationId}`);
      raws.push({ api, method, relativePath, operationId, op, pathParams });
    }
  }
  return raws;
}

function syntheticOperationId(method: HttpMethod, path: string): string {
  return [method.toLowerCase(), ...splitWords(path)].join("_");
}

interface BuildContext {
  source: string;
  basePath: string;
  id: string;
  closure: SchemaClosure;
  documentScopes: string[];
  overrides: RiskOverrides;
}

function buildOperation(doc: OpenApiDocument, raw: RawOperation, ctx: BuildContext): Operation {
  const { op, method, relativePath, operationId, api } = raw;
  const path = `${ctx.basePath}${relativePath}`;
  const tags = Array.isArray(op.tags) ? op.tags.filter((t): t is string => typeof t === "string") : [];
  const description = typeof op.description === "string" ? op.description.trim() : "";
  const givenSummary = typeof op.summary === "string" ? op.summary.trim() : "";
  const scopes = op.security !== undefined ? scopesOf(op.security) : ctx.documentScopes;
  const requestBody = bodyOf(doc, op.requestBody);
  const response = successResponseOf(doc, op.responses);
  const schemas = ctx.closure.closureOf(requestBody?.schema, response?.schema);
  const { risk, reason } = classifyRisk({ api, method, operationId, path, scopes }, ctx.overrides);
  return {
    id: ctx.id,
    api,
    source: ctx.source,
    operationId,
    method,
    path,
    summary: givenSummary || synthesizeSummary(operationId, description, tags),
    summarySynthesized: givenSummary === "",
    description,
    tags,
    scopes,
    parameters: parametersOf(doc, raw.pathParams, op.parameters),
    requestBody,
    response,
    schemas,
    secretFields: secretFieldsOf(response?.schema ?? null, schemas),
    risk,
    riskReason: reason,
    idempotent: isIdempotent(method, risk),
  };
}

/** Union of the scopes of all security requirements (ND uses one OAuth2 requirement). */
function scopesOf(security: unknown): string[] {
  if (!Array.isArray(security)) return [];
  const scopes = new Set<string>();
  for (const requirement of security) {
    if (!isRecord(requirement)) continue;
    for (const list of Object.values(requirement)) {
      if (Array.isArray(list)) for (const s of list) if (typeof s === "string") scopes.add(s);
    }
  }
  return [...scopes].sort();
}

/**
 * A one-line summary for operations without one (Analyze 52, Infra 66): the first sentence of
 * the description when there is one, else the operationId's words and the tag.
 */
export function synthesizeSummary(operationId: string, description: string, tags: readonly string[]): string {
  const sentence =
    description
      .split(/(?<=[.!?])\s|\n/)[0]
      ?.trim()
      .replace(/[.]$/, "") ?? "";
  if (sentence !== "") return sentence.length <= 120 ? sentence : `${sentence.slice(0, 119)}…`;
  const words = splitWords(operationId).join(" ");
  const phrase = words.charAt(0).toUpperCase() + words.slice(1);
  return tags[0] ? `${phrase} (${tags[0]})` : phrase;
}

function parametersOf(doc: OpenApiDocument, pathLevel: unknown[], opLevel: unknown): OperationParam[] {
  const byKey = new Map<string, OperationParam>();
  // Operation-level parameters override path-level ones with the same name and location.
  for (const rawParam of [...pathLevel, ...(Array.isArray(opLevel) ? opLevel : [])]) {
    const param = parameterOf(doc, rawParam);
    if (param) byKey.set(`${param.in}:${param.name}`, param);
  }
  return [...byKey.values()];
}

function parameterOf(doc: OpenApiDocument, rawParam: unknown): OperationParam | null {
  const p = deref(doc, rawParam);
  if (!isRecord(p) || typeof p.name !== "string" || typeof p.in !== "string") return null;
  if (!PARAM_LOCATIONS.has(p.in)) return null; // cookie parameters are the client's business
  // OpenAPI 3: these header parameters "SHALL be ignored"; the client sets them itself.
  if (p.in === "header" && IGNORED_HEADERS.has(p.name.toLowerCase())) return null;
  const schema = inlineSchema(doc, p.schema ?? contentSchema(p.content));
  const param: OperationParam = {
    name: p.name,
    in: p.in as ParamLocation,
    required: p.in === "path" || p.required === true,
    type: typeOfSchema(schema),
  };
  if (typeof schema.format === "string") param.format = schema.format;
  const values = enumOf(schema);
  if (values) param.enum = values;
  if (schema.default !== undefined) param.default = schema.default;
  const description = typeof p.description === "string" ? p.description : schema.description;
  if (typeof description === "string" && description.trim() !== "") param.description = description.trim();
  return param;
}

function contentSchema(content: unknown): unknown {
  if (!isRecord(content)) return undefined;
  const first = Object.values(content)[0];
  return isRecord(first) ? first.schema : undefined;
}

/** "string", "integer[]", "string|integer", "object" or "any". */
export function typeOfSchema(schema: JsonSchema): string {
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) {
    const types = [...new Set(variants.map((v) => (isRecord(v) ? typeOfSchema(v) : "any")))];
    return types.join("|");
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "array") return `${isRecord(schema.items) ? typeOfSchema(schema.items) : "any"}[]`;
  if (typeof type === "string") return type;
  if (isRecord(schema.properties) || Array.isArray(schema.allOf)) return "object";
  if (Array.isArray(schema.enum)) return typeof schema.enum[0] === "number" ? "number" : "string";
  return "any";
}

function enumOf(schema: JsonSchema): Array<string | number | boolean> | undefined {
  const source = Array.isArray(schema.enum)
    ? schema.enum
    : isRecord(schema.items) && Array.isArray(schema.items.enum)
      ? schema.items.enum
      : undefined;
  if (!source) return undefined;
  const values = source.filter((v): v is string | number | boolean =>
    ["string", "number", "boolean"].includes(typeof v),
  );
  return values.length > 0 ? values : undefined;
}

function bodyOf(doc: OpenApiDocument, rawBody: unknown): OperationBody | null {
  const body = deref(doc, rawBody);
  if (!isRecord(body)) return null;
  const picked = pickContent(body.content);
  if (!picked) return null;
  return {
    contentType: picked.contentType,
    required: body.required === true,
    multipart: picked.contentType.startsWith("multipart/"),
    schema: picked.schema,
  };
}

/** The lowest 2xx response (200 before 201, 202, 204, 207), else `default`. */
function successResponseOf(doc: OpenApiDocument, responses: unknown): OperationResponse | null {
  if (!isRecord(responses)) return null;
  const statuses = Object.keys(responses);
  const status =
    statuses.filter((s) => /^2\d\d$/.test(s)).sort()[0] ?? (statuses.includes("default") ? "default" : undefined);
  if (status === undefined) return null;
  const response = deref(doc, responses[status]);
  const picked = isRecord(response) ? pickContent(response.content) : null;
  return { status, contentType: picked?.contentType ?? null, schema: picked?.schema ?? null };
}

// Prefers JSON; the Orchestrator document says `*/*` everywhere and means JSON (§10.1 #7).
function pickContent(content: unknown): { contentType: string; schema: JsonSchema | null } | null {
  if (!isRecord(content)) return null;
  const types = Object.keys(content);
  const contentType =
    types.find((t) => /^application\/([\w.+-]*\+)?json\b/i.test(t)) ?? types.find((t) => t === "*/*") ?? types[0];
  if (contentType === undefined) return null;
  const media = content[contentType];
  const schema = isRecord(media) && isRecord(media.schema) ? media.schema : null;
  return { contentType, schema: schema && refOf(schema) === null && Object.keys(schema).length === 0 ? null : schema };
}
