/**
 * A small OpenAPI 3.0 schema validator, enough to decide whether one of Cisco's examples may be
 * served (reference §10.1 #5: several examples contradict their schemas). It is deliberately a
 * little stricter than JSON Schema in one way: a schema with `properties` but no `type` is taken
 * to describe an object (Infra's `GET /clusters` example is a bare array against such a schema).
 * `format` is not checked.
 */
import type { OpenApiDocument, Schema } from "./openapi-types.ts";
import { resolvePointer } from "./resolve-ref.ts";

const patternCache = new Map<string, RegExp | null>();

/** Returns undefined when valid, otherwise a message naming the first failing location. */
export function validateSchema(
  doc: OpenApiDocument,
  schema: Schema | undefined,
  value: unknown,
  at = "$",
  depth = 0,
): string | undefined {
  if (!schema || depth > 64) return undefined;
  if (schema.$ref) {
    const target = resolvePointer(doc, schema.$ref) as Schema | undefined;
    return target ? validateSchema(doc, target, value, at, depth + 1) : undefined;
  }
  if (value === null) return schema.nullable || schema.type === "null" ? undefined : `${at}: null is not allowed`;
  return (
    checkCombinators(doc, schema, value, at, depth) ??
    checkEnum(schema, value, at) ??
    checkType(schema, value, at) ??
    checkString(schema, value, at) ??
    checkNumber(schema, value, at) ??
    checkArray(doc, schema, value, at, depth) ??
    checkObject(doc, schema, value, at, depth)
  );
}

export function inferType(schema: Schema): string | undefined {
  if (schema.type) return schema.type;
  if (schema.properties || (typeof schema.additionalProperties === "object" && schema.additionalProperties))
    return "object";
  if (schema.items) return "array";
  return undefined;
}

function checkCombinators(
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  at: string,
  depth: number,
): string | undefined {
  for (const part of schema.allOf ?? []) {
    const error = validateSchema(doc, part, value, at, depth + 1);
    if (error) return error;
  }
  if (schema.anyOf && !schema.anyOf.some((s) => !validateSchema(doc, s, value, at, depth + 1))) {
    return `${at}: matches none of anyOf`;
  }
  if (schema.oneOf) {
    const chosen = discriminated(doc, schema, value);
    if (chosen) return validateSchema(doc, chosen, value, at, depth + 1);
    const matches = schema.oneOf.filter((s) => !validateSchema(doc, s, value, at, depth + 1)).length;
    if (matches !== 1) return `${at}: matches ${matches} of oneOf (exactly one required)`;
  }
  if (schema.not && !validateSchema(doc, schema.not, value, at, depth + 1)) return `${at}: matches a forbidden schema`;
  return undefined;
}

/** With a discriminator the tag picks the alternative, as OpenAPI intends. */
function discriminated(doc: OpenApiDocument, schema: Schema, value: unknown): Schema | undefined {
  const d = schema.discriminator;
  if (!d || typeof value !== "object" || value === null) return undefined;
  const tag = (value as Record<string, unknown>)[d.propertyName];
  if (typeof tag !== "string") return undefined;
  const ref = d.mapping?.[tag] ?? `#/components/schemas/${tag}`;
  return (resolvePointer(doc, ref) as Schema | undefined) ? { $ref: ref } : undefined;
}

function checkEnum(schema: Schema, value: unknown, at: string): string | undefined {
  if (schema.enum && !schema.enum.some((e) => e === value))
    return `${at}: ${JSON.stringify(value)} is not one of the enum values`;
  if (schema.const !== undefined && schema.const !== value) return `${at}: must equal ${JSON.stringify(schema.const)}`;
  return undefined;
}

function checkType(schema: Schema, value: unknown, at: string): string | undefined {
  const type = inferType(schema);
  if (!type) return undefined;
  const ok =
    type === "object"
      ? typeof value === "object" && !Array.isArray(value)
      : type === "array"
        ? Array.isArray(value)
        : type === "integer"
          ? Number.isInteger(value)
          : type === "number"
            ? typeof value === "number"
            : type === "string"
              ? typeof value === "string"
              : type === "boolean"
                ? typeof value === "boolean"
                : true;
  return ok ? undefined : `${at}: expected ${type}, got ${Array.isArray(value) ? "array" : typeof value}`;
}

function checkString(schema: Schema, value: unknown, at: string): string | undefined {
  if (typeof value !== "string") return undefined;
  if (schema.minLength !== undefined && value.length < schema.minLength)
    return `${at}: shorter than ${schema.minLength}`;
  if (schema.maxLength !== undefined && value.length > schema.maxLength)
    return `${at}: longer than ${schema.maxLength}`;
  const regex = schema.pattern ? compilePattern(schema.pattern) : null;
  if (regex && !regex.test(value)) return `${at}: does not match ${schema.pattern}`;
  return undefined;
}

export function compilePattern(pattern: string): RegExp | null {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, "u");
    } catch {
      try {
        regex = new RegExp(pattern);
      } catch {
        regex = null;
      }
    }
    patternCache.set(pattern, regex);
  }
  return regex;
}

function checkNumber(schema: Schema, value: unknown, at: string): string | undefined {
  if (typeof value !== "number") return undefined;
  if (
    schema.minimum !== undefined &&
    (schema.exclusiveMinimum === true ? value <= schema.minimum : value < schema.minimum)
  ) {
    return `${at}: below minimum ${schema.minimum}`;
  }
  if (
    schema.maximum !== undefined &&
    (schema.exclusiveMaximum === true ? value >= schema.maximum : value > schema.maximum)
  ) {
    return `${at}: above maximum ${schema.maximum}`;
  }
  return undefined;
}

function checkArray(
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  at: string,
  depth: number,
): string | undefined {
  if (!Array.isArray(value)) return undefined;
  if (schema.minItems !== undefined && value.length < schema.minItems)
    return `${at}: fewer than ${schema.minItems} items`;
  if (schema.maxItems !== undefined && value.length > schema.maxItems)
    return `${at}: more than ${schema.maxItems} items`;
  if (!schema.items) return undefined;
  for (let i = 0; i < value.length; i++) {
    const error = validateSchema(doc, schema.items, value[i], `${at}[${i}]`, depth + 1);
    if (error) return error;
  }
  return undefined;
}

function checkObject(
  doc: OpenApiDocument,
  schema: Schema,
  value: unknown,
  at: string,
  depth: number,
): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  for (const name of schema.required ?? []) {
    if (!(name in record)) return `${at}: missing required property ${name}`;
  }
  const properties = schema.properties ?? {};
  for (const [name, child] of Object.entries(record)) {
    const propertySchema = properties[name];
    if (propertySchema) {
      const error = validateSchema(doc, propertySchema, child, `${at}.${name}`, depth + 1);
      if (error) return error;
    } else if (schema.additionalProperties === false) {
      return `${at}: unexpected property ${name}`;
    } else if (typeof schema.additionalProperties === "object") {
      const error = validateSchema(doc, schema.additionalProperties, child, `${at}.${name}`, depth + 1);
      if (error) return error;
    }
  }
  return undefined;
}
