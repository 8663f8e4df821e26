/**
 * Builds a value that satisfies a response schema: follows `$ref`, merges `allOf`, takes the
 * discriminator's (or the first unambiguous) `oneOf`/`anyOf` branch, honours enums, formats,
 * patterns, lengths and bounds, and keeps arrays small. Values come from a seeded Rng, so the same
 * seed and operation always give the same answer. Past half the depth limit, or when a `$ref`
 * recurses into itself, only required properties and minimal arrays are built ("minimal" mode),
 * which ends every recursion a valid document can have; a hard cap guards the rest.
 */
import type { Rng } from "../prng.ts";
import type { OpenApiDocument, Schema } from "./openapi-types.ts";
import { resolvePointer } from "./resolve-ref.ts";
import { secretValue, SECRET_PROPERTY, stringForFormat, stringForName, stringForPattern } from "./sample-strings.ts";
import { inferType, validateSchema } from "./validate-schema.ts";

const MAX_DEPTH = 10;
const HARD_DEPTH = 40;
/** Keys that make a schema fragment describe a value (not just document it). */
const SHAPING_KEYS = [
  "type",
  "properties",
  "items",
  "required",
  "enum",
  "additionalProperties",
  "allOf",
  "oneOf",
  "anyOf",
  "$ref",
  "format",
  "pattern",
];
const EPOCH_MS = Date.UTC(2025, 5, 1);

interface GenContext {
  doc: OpenApiDocument;
  rng: Rng;
  /** $refs being expanded on the current branch, to detect recursion. */
  refs: string[];
  /** Only required properties and minItems-long arrays from here down. */
  minimal: boolean;
}

export function generateFromSchema(doc: OpenApiDocument, schema: Schema, rng: Rng): unknown {
  return generate(schema, { doc, rng, refs: [], minimal: false }, 0, "");
}

function generate(schema: Schema, ctx: GenContext, depth: number, name: string): unknown {
  if (depth > HARD_DEPTH) return emptyOf(schema, ctx);
  if (schema.$ref) {
    const target = resolvePointer(ctx.doc, schema.$ref) as Schema | undefined;
    if (!target) return null;
    const wasMinimal = ctx.minimal;
    if (ctx.refs.includes(schema.$ref) || depth > MAX_DEPTH) ctx.minimal = true;
    ctx.refs.push(schema.$ref);
    try {
      return generate(target, ctx, depth, name);
    } finally {
      ctx.refs.pop();
      ctx.minimal = wasMinimal;
    }
  }
  if (schema.allOf) return generateAllOf(schema, ctx, depth, name);
  const branch = schema.oneOf ?? schema.anyOf;
  if (branch && branch.length > 0) return generateOneOf(schema, branch, ctx, depth, name);
  const fixed = exampleOrDefault(schema, ctx);
  if (fixed !== undefined) return fixed;
  if (schema.enum && schema.enum.length > 0) return ctx.rng.pick(schema.enum);
  switch (inferType(schema)) {
    case "object":
      return generateObject(schema, ctx, depth);
    case "array":
      return generateArray(schema, ctx, depth, name);
    case "integer":
      return generateNumber(schema, ctx, true);
    case "number":
      return generateNumber(schema, ctx, false);
    case "boolean":
      return ctx.rng.chance(0.5);
    default:
      return generateString(schema, ctx, name);
  }
}

/** A primitive's own example/default is the most realistic value — when it is valid. */
function exampleOrDefault(schema: Schema, ctx: GenContext): unknown {
  const type = inferType(schema);
  if (type === "object" || type === "array") return undefined;
  for (const candidate of [schema.example, schema.default]) {
    if (candidate !== undefined && candidate !== null && !validateSchema(ctx.doc, schema, candidate)) return candidate;
  }
  return undefined;
}

function generateAllOf(schema: Schema, ctx: GenContext, depth: number, name: string): unknown {
  const { allOf, ...rest } = schema;
  let merged: unknown;
  for (const part of [...(allOf ?? []), ...(shapes(rest) ? [rest as Schema] : [])]) {
    merged = mergeValues(merged, generate(part, ctx, depth, name));
  }
  return merged;
}

function generateOneOf(schema: Schema, branch: Schema[], ctx: GenContext, depth: number, name: string): unknown {
  const { oneOf: _o, anyOf: _a, discriminator, ...rest } = schema;
  const d = discriminator;
  const mapping = d?.mapping ? Object.entries(d.mapping)[0] : undefined;
  let value = mapping
    ? generate({ $ref: mapping[1] }, ctx, depth, name)
    : unambiguousBranch(schema, branch, ctx, depth, name);
  if (shapes(rest)) value = mergeValues(generate(rest as Schema, ctx, depth, name), value);
  if (d && mapping && isPlainObject(value)) value[d.propertyName] = mapping[0];
  return value;
}

/**
 * Without a discriminator, `oneOf` demands that exactly one branch matches. Try the branches in
 * order and keep the first value only one of them accepts; fall back to the first branch.
 */
function unambiguousBranch(schema: Schema, branch: Schema[], ctx: GenContext, depth: number, name: string): unknown {
  let first: unknown;
  for (const [i, option] of branch.entries()) {
    const value = generate(option, ctx, depth, name);
    if (i === 0) first = value;
    if (!schema.oneOf) return value;
    const matching = branch.filter((b) => !validateSchema(ctx.doc, b, value)).length;
    if (matching === 1) return value;
  }
  return first;
}

function shapes(fragment: Schema): boolean {
  return SHAPING_KEYS.some((key) => key in fragment);
}

function generateObject(schema: Schema, ctx: GenContext, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const required = new Set(schema.required ?? []);
  const onlyRequired = ctx.minimal || depth > MAX_DEPTH / 2;
  for (const [prop, propSchema] of Object.entries(schema.properties ?? {})) {
    if (onlyRequired && !required.has(prop)) continue;
    const value = generate(propSchema, ctx, depth + 1, prop);
    if (value !== undefined) out[prop] = value;
  }
  // Some Cisco schemas require a property they never declare; give it a plain string.
  for (const prop of required) {
    if (!(prop in out)) out[prop] = generateString({}, ctx, prop);
  }
  if (!schema.properties && typeof schema.additionalProperties === "object" && !onlyRequired) {
    out.key1 = generate(schema.additionalProperties, ctx, depth + 1, "key1");
  }
  return out;
}

/** Two items near the top of a document, one deeper down; minItems/maxItems win. */
function generateArray(schema: Schema, ctx: GenContext, depth: number, name: string): unknown[] {
  const wanted = ctx.minimal ? 0 : depth <= 2 ? 2 : 1;
  const count = Math.min(Math.max(wanted, schema.minItems ?? 0), schema.maxItems ?? Number.POSITIVE_INFINITY);
  if (!schema.items) return [];
  const items: unknown[] = [];
  for (let i = 0; i < count; i++) items.push(generate(schema.items, ctx, depth + 1, singular(name)));
  return items;
}

function generateNumber(schema: Schema, ctx: GenContext, integer: boolean): number {
  const min = typeof schema.minimum === "number" ? schema.minimum + (schema.exclusiveMinimum === true ? 1 : 0) : 0;
  const max =
    typeof schema.maximum === "number"
      ? schema.maximum - (schema.exclusiveMaximum === true ? 1 : 0)
      : Math.max(min, 0) + 100;
  if (integer) return ctx.rng.int(Math.ceil(min), Math.max(Math.ceil(min), Math.floor(max)));
  return Math.round((min + ctx.rng.next() * (max - min)) * 100) / 100;
}

function generateString(schema: Schema, ctx: GenContext, name: string): string {
  let value =
    (schema.pattern ? stringForPattern(schema.pattern, schema.example) : undefined) ??
    (schema.format ? stringForFormat(schema.format, ctx.rng, EPOCH_MS) : undefined) ??
    stringForName(name, ctx.rng) ??
    `${name || "value"}-${ctx.rng.hex(4)}`;
  if (SECRET_PROPERTY.test(name) && !schema.pattern && !schema.format) value = secretValue(ctx.rng);
  if (schema.maxLength !== undefined && value.length > schema.maxLength) value = value.slice(0, schema.maxLength);
  if (schema.minLength !== undefined && value.length < schema.minLength) value = value.padEnd(schema.minLength, "x");
  return value;
}

/** What a cut-off recursive reference becomes: the smallest value of the right type. */
function emptyOf(schema: Schema, ctx: GenContext): unknown {
  const target = schema.$ref ? (resolvePointer(ctx.doc, schema.$ref) as Schema | undefined) : schema;
  const type = target ? inferType(target) : undefined;
  if (type === "array") return [];
  if (type === "object" || target?.allOf || target?.oneOf) return {};
  return undefined;
}

function mergeValues(a: unknown, b: unknown): unknown {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (isPlainObject(a) && isPlainObject(b)) {
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = k in out ? mergeValues(out[k], v) : v;
    return out;
  }
  return b;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function singular(name: string): string {
  return name.endsWith("ies") ? `${name.slice(0, -3)}y` : name.endsWith("s") ? name.slice(0, -1) : name;
}
