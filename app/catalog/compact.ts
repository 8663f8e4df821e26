// Compact text renderings of operations for language models and terminals. Pure functions;
// every length limit is a parameter so callers can trade detail for tokens.

import { renderSchemaWithCuts, type SchemaCut, type SchemaRenderOptions } from "./compact-schema.ts";
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
  /** How the reader gets one cut part in full (e.g. `describe_operation part="response.x"`); the notes name the parts. */
  partHint?: (part: string) => string;
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
  const cuts: SchemaCut[] = [];
  if (op.requestBody) {
    const body = op.requestBody;
    const note = body.multipart ? " (file upload)" : "";
    lines.push(`body${body.required ? "*" : ""} ${body.contentType}${note}:`);
    const rendered = renderSchemaWithCuts(body.schema, op.schemas, options.body ?? { maxChars: 1500 });
    lines.push(indent(rendered.text));
    cuts.push(...rendered.cuts.map((c) => ({ ...c, path: joinPath("body", c.path) })));
  }
  if (op.response?.schema) {
    lines.push(`response ${op.response.status}:`);
    const rendered = renderSchemaWithCuts(
      op.response.schema,
      op.schemas,
      options.response ?? { maxChars: 600, maxDepth: 2 },
    );
    lines.push(indent(rendered.text));
    cuts.push(...rendered.cuts.map((c) => ({ ...c, path: joinPath("response", c.path) })));
  }
  if (op.secretFields.length > 0) lines.push(`secret fields in response: ${op.secretFields.join(", ")}`);
  lines.push(...cutNotes(cuts, options.partHint));
  return lines.join("\n");
}

const joinPath = (a: string, b: string) => (b ? `${a}.${b}` : a);

/**
 * What the schemas above left out, by part and field name, and how to get a part in full: a
 * model must never guess that a field it needs was there (the field names are the point).
 */
export function cutNotes(cuts: readonly SchemaCut[], partHint?: (part: string) => string): string[] {
  if (!cuts.length) return [];
  const MAX_PARTS = 6;
  const MAX_NAMES = 12;
  const names = (fields: string[]) =>
    fields.length > MAX_NAMES
      ? `${fields.slice(0, MAX_NAMES).join(", ")}, +${fields.length - MAX_NAMES}`
      : fields.join(", ");
  const lines = cuts
    .slice(0, MAX_PARTS)
    .map((c) =>
      c.fields.length === 0
        ? `  ${c.path}: cut at its length limit`
        : c.kind === "depth"
          ? `  ${c.path} {…${c.fields.length} fields}: ${names(c.fields)}`
          : `  ${c.path}: ${c.fields.length} more fields not shown: ${names(c.fields)}`,
    );
  if (cuts.length > MAX_PARTS) lines.push(`  …and ${cuts.length - MAX_PARTS} more cut parts`);
  // The example names the biggest cut part: the one most likely to hold the field a reader misses.
  const example = [...cuts].sort((a, b) => b.fields.length - a.fields.length)[0]!.path;
  return ["cut to fit:", ...lines, ...(partHint ? [partHint(example)] : [])];
}

function enumText(values: ReadonlyArray<string | number | boolean>, max: number): string {
  const shown = values
    .slice(0, max)
    .map((v) => JSON.stringify(v))
    .join("|");
  return values.length > max ? `${shown}|…(+${values.length - max})` : shown;
}

/** Cut to `max` characters at a word boundary when there is one in the last third, never mid-word otherwise. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const head = text.slice(0, Math.max(0, max - 1));
  const boundary = head.search(/\s\S*$/);
  const cut = boundary > (max * 2) / 3 ? head.slice(0, boundary) : head;
  return `${cut.trimEnd()}…`;
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
