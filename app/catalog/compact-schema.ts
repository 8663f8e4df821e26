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
}

/**
 * Renders `schema`, resolving `$ref`s through `schemas` (an operation's closure) or, failing
 * that, through `root` (a whole document). Tries the deepest rendering that still lists every
 * top-level field; breadth first, because a model can ask for a sub-schema but cannot guess a
 * field it never saw.
 */
export function renderSchema(schema: JsonSchema | null | undefined, schemas: Schemas = {}, options: SchemaRenderOptions = {}, root?: unknown): string {
  if (!schema) return "none";
  const opts = { ...DEFAULTS, ...options };
  let best: Render | null = null;
  for (let depth = 1; depth <= opts.maxDepth; depth++) {
    const attempt = renderAt(schema, schemas, root, { ...opts, maxDepth: depth });
    if (best !== null && attempt.cutAtTop) break;
    best = attempt;
    if (attempt.cutAtTop) break;
  }
  const text = best!.text;
  return text.length <= opts.maxChars ? text : `${text.slice(0, opts.maxChars - 1)}…`;
}

interface Context {
  schemas: Schemas;
  root: unknown;
  maxDepth: number;
  maxEnum: number;
  cutAtTop: boolean;
}

function renderAt(schema: JsonSchema, schemas: Schemas, root: unknown, opts: typeof DEFAULTS): Render {
  const ctx: Context = { schemas, root, maxDepth: opts.maxDepth, maxEnum: opts.maxEnum, cutAtTop: false };
  const text = node(schema, 0, opts.maxChars, new Set(), ctx);
  return { text, cutAtTop: ctx.cutAtTop };
}

function lookup(ref: string, ctx: Context): JsonSchema | undefined {
  const found = ctx.schemas[ref] ?? resolvePointer(ctx.root, ref);
  return isRecord(found) ? found : undefined;
}

function refName(ref: string): string {
  return ref.split("/").pop() ?? ref;
}

function node(schema: unknown, depth: number, budget: number, trail: ReadonlySet<string>, ctx: Context): string {
  if (!isRecord(schema)) return "any";
  if (typeof schema.$ref === "string") {
    const ref = schema.$ref;
    if (trail.has(ref)) return `↻${refName(ref)}`;
    const target = lookup(ref, ctx);
    return target ? node(target, depth, budget, new Set([...trail, ref]), ctx) : refName(ref);
  }
  const variants = schema.oneOf ?? schema.anyOf;
  if (Array.isArray(variants)) return union(variants, depth, budget, trail, ctx);
  if (Array.isArray(schema.allOf)) return objectType(mergeAllOf(schema, trail, ctx), depth, budget, trail, ctx);
  if (Array.isArray(schema.enum)) return enumType(schema.enum, ctx);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  if (type === "array") {
    const item = node(schema.items, depth, budget - 2, trail, ctx);
    return /[|\s]/.test(item) && !item.startsWith("{") ? `(${item})[]` : `${item}[]`;
  }
  if (type === "object" || isRecord(schema.properties) || schema.additionalProperties !== undefined) {
    return objectType(schema, depth, budget, trail, ctx);
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

function union(variants: unknown[], depth: number, budget: number, trail: ReadonlySet<string>, ctx: Context): string {
  const parts: string[] = [];
  let used = 0;
  for (const [i, variant] of variants.entries()) {
    const text = node(variant, depth, budget - used - MARKER_ROOM, trail, ctx);
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
    if (Array.isArray(resolved.required)) required.push(...resolved.required.filter((r): r is string => typeof r === "string"));
  };
  const { allOf, ...own } = schema;
  for (const part of allOf as unknown[]) visit(part, trail);
  visit(own, trail);
  return { type: "object", properties, required };
}

function objectType(schema: JsonSchema, depth: number, budget: number, trail: ReadonlySet<string>, ctx: Context): string {
  const properties = isRecord(schema.properties) ? schema.properties : {};
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  // Required fields first: they are the ones a caller cannot leave out.
  const names = Object.keys(properties).sort((a, b) => Number(required.has(b)) - Number(required.has(a)));
  const extra = schema.additionalProperties;
  if (names.length === 0) {
    if (isRecord(extra)) return `{[key: string]: ${node(extra, depth + 1, budget - 18, trail, ctx)}}`;
    return "object";
  }
  if (depth >= ctx.maxDepth) return `{…${names.length} fields}`;
  const parts: string[] = [];
  let used = 4;
  for (const [i, name] of names.entries()) {
    const key = `${/^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name)}${required.has(name) ? "*" : ""}: `;
    const room = budget - used - key.length - MARKER_ROOM;
    const value = room > 8 ? node(properties[name], depth + 1, room, trail, ctx) : "";
    const part = `${key}${value}`;
    if (room <= 8 || used + part.length + 2 > budget - MARKER_ROOM) {
      parts.push(`…(${names.length - i} more fields)`);
      if (depth === 0) ctx.cutAtTop = true;
      break;
    }
    parts.push(part);
    used += part.length + 2;
  }
  return `{ ${parts.join("; ")} }`;
}
