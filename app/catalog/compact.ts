// Compact text renderings of operations for language models and terminals. Pure functions;
// every length limit is a parameter so callers can trade detail for tokens.

import { renderSchema, type SchemaRenderOptions } from "./compact-schema.ts";
import type { Operation, OperationParam } from "./operation.ts";

/** `manage.listFabrics  GET /api/v1/manage/fabrics — List fabrics [read]` */
export function renderOneLine(op: Pick<Operation, "id" | "method" | "path" | "summary" | "risk">): string {
  return `${op.id}  ${op.method} ${op.path} — ${oneLineText(op.summary)} [${op.risk}]`;
}

export interface ParamRenderOptions {
  /** Descriptions longer than this are cut with "…". */
  maxDescription?: number;
  /** Enum values shown inline before "…(+N)". */
  maxEnum?: number;
}

/**
 * One parameter per line, required ones first and marked `*`:
 *   fabricName*: string (path) — Name of the fabric
 *   severity: "critical"|"major"|…(+3) (query) = "major" — Severity filter
 */
export function renderParams(params: readonly OperationParam[], options: ParamRenderOptions = {}): string {
  if (params.length === 0) return "(no parameters)";
  const ordered = [...params].sort((a, b) => Number(b.required) - Number(a.required));
  return ordered.map((p) => renderParam(p, options)).join("\n");
}

export function renderParam(p: OperationParam, options: ParamRenderOptions = {}): string {
  const maxDescription = options.maxDescription ?? 80;
  const maxEnum = options.maxEnum ?? 8;
  const type = p.enum ? enumText(p.enum, maxEnum) : p.format && p.type === "string" ? `string<${p.format}>` : p.type;
  const fallback = p.default !== undefined ? ` = ${JSON.stringify(p.default)}` : "";
  const description = p.description ? ` — ${truncate(oneLineText(p.description), maxDescription)}` : "";
  return `${p.name}${p.required ? "*" : ""}: ${type} (${p.in})${fallback}${description}`;
}

export interface OperationRenderOptions extends ParamRenderOptions {
  body?: SchemaRenderOptions;
  response?: SchemaRenderOptions;
  /** Description longer than this is cut. */
  maxOperationDescription?: number;
}

/** Everything a model needs to call one operation, in a few hundred characters. */
export function renderOperation(op: Operation, options: OperationRenderOptions = {}): string {
  const lines = [renderOneLine(op)];
  const description = oneLineText(op.description);
  if (description && description !== oneLineText(op.summary)) {
    lines.push(truncate(description, options.maxOperationDescription ?? 300));
  }
  lines.push(`risk: ${op.risk} (${op.riskReason})${op.idempotent ? "" : "; not idempotent"}`);
  if (op.scopes.length > 0) lines.push(`ND roles: ${op.scopes.join(", ")}`);
  lines.push("parameters:", indent(renderParams(op.parameters, options)));
  if (op.requestBody) {
    const body = op.requestBody;
    const note = body.multipart ? " (file upload)" : "";
    lines.push(`body${body.required ? "*" : ""} ${body.contentType}${note}:`);
    lines.push(indent(renderSchema(body.schema, op.schemas, options.body ?? { maxChars: 1500 })));
  }
  if (op.response?.schema) {
    lines.push(`response ${op.response.status}:`);
    lines.push(indent(renderSchema(op.response.schema, op.schemas, options.response ?? { maxChars: 600, maxDepth: 2 })));
  }
  if (op.secretFields.length > 0) lines.push(`secret fields in response: ${op.secretFields.join(", ")}`);
  return lines.join("\n");
}

function enumText(values: ReadonlyArray<string | number | boolean>, max: number): string {
  const shown = values.slice(0, max).map((v) => JSON.stringify(v)).join("|");
  return values.length > max ? `${shown}|…(+${values.length - max})` : shown;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

function oneLineText(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((line) => `  ${line}`)
    .join("\n");
}
