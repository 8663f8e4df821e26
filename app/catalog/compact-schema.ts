// A JSON schema rendered as a compact, TypeScript-like type that a language model reads
// cheaply, cut to a depth and a character budget with every cut marked:
//
//   { name*: string; category: "fabric"|"fabricGroup"; management: {…37 fields}; …(12 more fields) }
//
// `*` marks required fields, `{…N fields}` an object beyond the depth limit, `…(N more
// fields)` properties cut for size, `↻Name` a recursive reference. The full fabric schema is
// ~350 K characters fully expanded; a model needs the top of it and the means to ask for more.

import { isRecord } from "./openapi-load.ts";
import type { JsonSchema } from "./operation.ts";
import { resolvePointer } from "./json-ref.ts";

export interface SchemaRenderOptions {
  /** Object nesting rendered in full; deeper objects become `{…N fields}`. */
  maxDepth?: number;
  /** Hard ceiling on the result length, in characters. */
  maxChars?: number;
  /** Enum values shown before `…(+N)`. */
  maxEnum?: number;
}

const DEFAULTS = { maxDepth: 4, maxChars: 1500, maxEnum: 6 };

/** Room kept for a "…(N more fields)" marker when cutting an object. */
const MARKER_ROOM = 22;

type Schemas = Readonly<Record<string, JsonSchema>>;

interface Render {
  text: string;
  /** The top-level object had to drop fields to fit. */
  cutAtTop: boolean;
  cuts: SchemaCut[];
}

/**
 * Renders `schema`, resolving `$ref`s through `schemas` (an operation's closure) or, failing
 * that, through `root` (a whole document). Tries the deepest rendering that still lists every
 * top-level field; breadth first, because a model can ask for a sub-schema but cannot guess a
 * field it never saw.
 */
export function renderSchema(
  schema: JsonSchema | null | undefined,
  schemas: Schemas = {},
  options: SchemaRenderOptions = {},
  root?: unknown,
): string {
  return renderSchemaWithCuts(schema, schemas, options, root).text;
}

/** renderSchema, and what it left out: every `{…N fields}` and `…(N more fields)` with its path and field names. */
export function renderSchemaWithCuts(
  schema: JsonSchema | null | undefined,
  schemas: Schemas = {},
  options: SchemaRenderOptions = {},
  root?: unknown,
): { text: string; cuts: SchemaCut[] } {
  if (!schema) return { text: "none", cuts: [] };
  const opts = { ...DEFAULTS, ...options };
  let best: Render | null = null;
  for (let depth = 1; depth <= opts.maxDepth; depth++) {
    const attempt = renderAt(schema, schemas, root, { ...opts, maxDepth: depth });
    if (best !== null && attempt.cutAtTop) break;
    best = attempt;
    if (attempt.cutAtTop) break;
  }
  const text = best!.text;
  if (text.length <= opts.maxChars) return { text, cuts: best!.cuts };
  return {
    text: `${text.slice(0, opts.maxChars - 1)}…`,
    cuts: [...best!.cuts, { path: "", fields: [], kind: "size" }],
  };
}

interface Context {
  schemas: Schemas;
  root: unknown;
  maxDepth: number;
  maxEnum: number;
  cutAtTop: boolean;
  cuts: SchemaCut[];
}

/** A part of the schema the rendering left out: where (dotted, arrays transparent) and which fields. */
export interface SchemaCut {
  path: string;
  fields: string[];
  /** "depth": the object is shown as {…N fields}; "size": its last fields were dropped to fit. */
  kind: "depth" | "size";
}

function renderAt(schema: JsonSchema, schemas: Schemas, root: unknown, opts: typeof DEFAULTS): Render {
  const ctx: Context = { schemas, root, maxDepth: opts.maxDepth, maxEnum: opts.maxEnum, cutAtTop: false, cuts: [] };
  const text = node(schema, 0, opts.maxChars, new Set(), ctx, "");
  return { text, cutAtTop: ctx.cutAtTop, cuts: ctx.cuts };
}

function lookup(ref: string, ctx: Context): JsonSchema | undefined {
  const found = ctx.schemas[ref] ?? resolvePointer(ctx.root, ref);
  return isRecord(found) ? found : undefined;
}

function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

function node(
  schema: unknown,
  depth: number,
  budget: number,
  trail: ReadonlySet<string>,
  ctx: Context,
  path: string,
): string {
  if (!isRecord(schema)) return "any";
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    if (trail.has(ref)) return `↻${refName(ref)}`;
    const target = lookup(ref, ctx);
    return target ? node(target, depth, budget, new Set([...trail, ref]), ctx, path) : refName(ref);
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) return union(variants, depth, budget, trail, ctx, path);
  if (Array.isArray(schema.allOf)) return objectType(mergeAllOf(schema, trail, ctx), depth, budget, trail, ctx, path);
  if (Array.isArray(schema.enum)) return enumType(schema.enum, ctx);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "array") {
    const item = node(schema.items, depth, budget - 2, trail, ctx, path);
    return /[|\s]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
  }
  if (type === "object" || isRecord(schema.properties) || schema.additionalProperties !== undefined) {
    return objectType(schema, depth, budget, trail, ctx, path);
  }
  if (type === "string") return stringType(schema);
  return typeof type === "string" ? type : "any";
}

function stringType(schema: JsonSchema): string {
  if (schema.format === "binary") return "binary";
  return typeof schema.format === "string" && schema.format !== "" ? `string<${schema.format}>` : "string";
}

function enumType(values: unknown[], ctx: Context): string {
  const shown = values.slice(0, ctx.maxEnum).map((v) => JSON.stringify(v));
  const rest = values.length - shown.length;
  return rest > 0 ? `${shown.join("|")}|…(+${rest})` : shown.join("|");
}

function union(
  variants: unknown[],
  depth: number,
  budget: number,
  trail: ReadonlySet<string>,
  ctx: Context,
  path: string,
): string {
  const parts: string[] = [];
  let used = 0;
  for (const [i, variant] of variants.entries()) {
    const text = node(variant, depth, budget - used - MARKER_ROOM, trail, ctx, path);
    if (used + text.length + 3 > budget - MARKER_ROOM && parts.length > 0) {
      parts.push(`…(${variants.length - i} more variants)`);
      break;
    }
    parts.push(text);
    used += text.length + 3;
  }
  return [...new Set(parts)].join(" | ");
}

/** allOf parts merged into one object schema (properties and required lists combined). */
function mergeAllOf(schema: JsonSchema, trail: ReadonlySet<string>, ctx: Context): JsonSchema {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  const visit = (part: unknown, seen: ReadonlySet<string>): void => {
    let resolved = part;
    if (isRecord(part) && typeof part.$ref === "string") {
      if (seen.has(part.$ref)) return;
      resolved = lookup(part.$ref, ctx);
      seen = new Set([...seen, part.$ref]);
    }
    if (!isRecord(resolved)) return;
    if (Array.isArray(resolved.allOf)) for (const p of resolved.allOf) visit(p, seen);
    if (isRecord(resolved.properties)) Object.assign(properties, resolved.properties);
    if (Array.isArray(resolved.required))
      required.push(...resolved.required.filter((r): r is string => typeof r === "string"));
  };
  const { allOf, ...own } = schema;
  for (const part of allOf as unknown[]) visit(part, trail);
  visit(own, trail);
  return { type: "object", properties, required };
}

function objectType(
  schema: JsonSchema,
  depth: number,
  budget: number,
  trail: ReadonlySet<string>,
  ctx: Context,
  path: string,
): string {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  // Required fields first: they are the ones a caller cannot leave out.
  const names = Object.keys(properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  const extra = schema.additionalProperties;
  if (names.length === 0) {
    if (isRecord(extra)) return `{[key: string]: ${node(extra, depth + 1, budget - 18, trail, ctx, path)}}`;
    return "object";
  }
  if (depth >= ctx.maxDepth) {
    ctx.cuts.push({ path, fields: names, kind: "depth" });
    return `{…${names.length} fields}`;
  }
  const parts: string[] = [];
  let used = 4;
  for (const [i, name] of names.entries()) {
    const key = `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${required.has(name) ? "*" : ""}: `;
    const room = budget - used - key.length - MARKER_ROOM;
    const cutsBefore = ctx.cuts.length;
    const value = room > 8 ? node(properties[name], depth + 1, room, trail, ctx, path ? `${path}.${name}` : name) : "";
    const part = `${key}${value}`;
    if (room <= 8 || used + part.length + 2 > budget - MARKER_ROOM) {
      ctx.cuts.length = cutsBefore; // the field is dropped whole: cuts inside it are not shown either
      ctx.cuts.push({ path, fields: names.slice(i), kind: "size" });
      parts.push(`…(${names.length - i} more fields)`);
      if (depth === 0) ctx.cutAtTop = true;
      break;
    }
    parts.push(part);
    used += part.length + 2;
  }
  return `{ ${parts.join("; ")} }`;
}

/**
 * The sub-schema at a dotted path ("fabrics.management"; arrays are transparent, as in the cut
 * paths above), or null when the path names no field. What a caller asks for after a cut.
 */
export function schemaAt(
  schema: JsonSchema | null | undefined,
  schemas: Schemas,
  path: string,
  root?: unknown,
): JsonSchema | null {
  const ctx: Context = { schemas, root, maxDepth: 0, maxEnum: 0, cutAtTop: false, cuts: [] };
  let at: unknown = schema;
  for (const name of path.split(".").filter(Boolean)) {
    at = propertyOf(at, name, ctx, 0);
    if (at === undefined) return null;
  }
  return isRecord(at) ? at : null;
}

function propertyOf(schema: unknown, name: string, ctx: Context, hops: number): unknown {
  if (!isRecord(schema) || hops > 20) return undefined;
  if (typeof schema.$ref === "string") return propertyOf(lookup(schema.$ref, ctx), name, ctx, hops + 1);
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) {
    for (const v of variants) {
      const found = propertyOf(v, name, ctx, hops + 1);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (Array.isArray(schema.allOf)) return propertyOf(mergeAllOf(schema, new Set(), ctx), name, ctx, hops + 1);
  if (schema.type === "array" || schema.items !== undefined) return propertyOf(schema.items, name, ctx, hops + 1);
  if (isRecord(schema.properties) && Object.hasOwn(schema.properties, name)) return schema.properties[name];
  return undefined;
}
