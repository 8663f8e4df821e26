// The fields of one row of an operation's answer, read from its response schema: what a model
// may name in `fields` or in a `filter`, known before (and whether or not) ND returns a row.
// Rows are the items of the answer when it is an array, or of its one array property beside
// `meta` (ND's list envelope); an object answer is its own row. Two levels deep, as dotted paths.

import { isRecord } from "./openapi-load.ts";
import type { JsonSchema, Operation } from "./operation.ts";

type Schemas = Operation["schemas"];

function resolve(schema: unknown, schemas: Schemas, seen = new Set<string>()): JsonSchema | null {
  if (!isRecord(schema)) return null;
  if (typeof schema.$ref === "string") {
    if (seen.has(schema.$ref)) return null;
    return resolve(schemas[schema.$ref], schemas, new Set([...seen, schema.$ref]));
  }
  return schema;
}

/** Properties of an object schema, allOf/oneOf/anyOf parts merged. */
function properties(schema: unknown, schemas: Schemas, depth = 0): Record<string, unknown> {
  const s = resolve(schema, schemas);
  if (!s || depth > 6) return {};
  const out: Record<string, unknown> = {};
  for (const key of ["allOf", "oneOf", "anyOf"] as const) {
    const parts = s[key];
    if (Array.isArray(parts)) for (const part of parts) Object.assign(out, properties(part, schemas, depth + 1));
  }
  if (isRecord(s.properties)) Object.assign(out, s.properties);
  return out;
}

function itemsOf(schema: unknown, schemas: Schemas): unknown {
  const s = resolve(schema, schemas);
  return s && (s.type === "array" || s.items !== undefined) ? s.items : undefined;
}

export interface RowShape {
  /** Name of the list in the answer (`switches`), or null for a bare array or an object. */
  key: string | null;
  fields: string[];
}

export function rowShape(op: Pick<Operation, "response" | "schemas">): RowShape | null {
  const schema = op.response?.schema;
  if (!schema) return null;
  const schemas = op.schemas;
  const bare = itemsOf(schema, schemas);
  if (bare !== undefined) return { key: null, fields: fieldsOf(bare, schemas) };
  const top = properties(schema, schemas);
  const lists = Object.entries(top).filter(([k, v]) => k !== "meta" && itemsOf(v, schemas) !== undefined);
  if (lists.length === 1) return { key: lists[0]![0], fields: fieldsOf(itemsOf(lists[0]![1], schemas), schemas) };
  return { key: null, fields: fieldsOf(schema, schemas) };
}

function fieldsOf(schema: unknown, schemas: Schemas): string[] {
  const out: string[] = [];
  for (const [name, sub] of Object.entries(properties(schema, schemas))) {
    out.push(name);
    for (const inner of Object.keys(properties(sub, schemas))) out.push(`${name}.${inner}`);
  }
  return out;
}
