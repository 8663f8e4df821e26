// Local `$ref` resolution for OpenAPI documents. 92 % of ND query parameters are `$ref`s and
// the prior implementation dropped them all; here every lookup goes through `deref`.
//
// Schemas are never expanded in place: ND schemas are cyclic and fully expanding one body can
// reach 660 K characters. Instead an operation keeps its schemas with `$ref`s intact plus the
// closure of component schemas they reach, and readers resolve lazily (see compact-schema.ts).
// Only document-local references (`#/…`) are followed; anything else resolves to undefined.

import type { JsonSchema } from "./operation.ts";
import { isRecord } from "./openapi-load.ts";

/** Follow hops of `$ref` before giving up on a chain (a → b → a). */
const MAX_REF_HOPS = 32;

export function resolvePointer(root: unknown, ref: string): unknown {
  if (!ref.startsWith("#")) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  if (pointer === "") return root;
  if (!pointer.startsWith("/")) return undefined;
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node)) node = node[Number(key)];
    else if (isRecord(node)) node = Object.hasOwn(node, key) ? node[key] : undefined;
    else return undefined;
  }
  return node;
}

/** The object behind a (chain of) `$ref`, or the node itself when it is not a reference. */
export function deref(root: unknown, node: unknown): unknown {
  let current = node;
  for (let hop = 0; hop < MAX_REF_HOPS; hop++) {
    const ref = refOf(current);
    if (ref === null) return current;
    current = resolvePointer(root, ref);
  }
  return undefined;
}

export function refOf(node: unknown): string | null {
  return isRecord(node) && typeof node.$ref === "string" ? node.$ref : null;
}

/**
 * A copy of a small schema with every `$ref` replaced by its target, for parameter schemas
 * (usually a primitive or an enum). Cycles and excessive depth end in `{}` (any).
 */
export function inlineSchema(root: unknown, schema: unknown, maxDepth = 6): JsonSchema {
  const inline = (node: unknown, depth: number, seen: ReadonlySet<string>): unknown => {
    const ref = refOf(node);
    if (ref !== null) {
      if (seen.has(ref) || depth > maxDepth) return {};
      return inline(resolvePointer(root, ref) ?? {}, depth + 1, new Set([...seen, ref]));
    }
    if (Array.isArray(node)) return node.map((item) => inline(item, depth + 1, seen));
    if (!isRecord(node)) return node;
    if (depth > maxDepth) return {};
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      out[key] = key === "example" || key === "examples" || key === "enum" ? value : inline(value, depth + 1, seen);
    }
    return out;
  };
  const result = inline(schema, 0, new Set());
  return isRecord(result) ? result : {};
}

/**
 * Collects, per document, which component schemas a schema reaches. Memoised per `$ref`
 * because the same component is reached from hundreds of operations.
 */
export class SchemaClosure {
  private readonly direct = new Map<string, readonly string[]>();

  constructor(private readonly root: unknown) {}

  /** All `$ref` targets reachable from `schema`, keyed by `$ref` string. */
  closureOf(...schemas: unknown[]): Record<string, JsonSchema> {
    const out: Record<string, JsonSchema> = {};
    const pending: string[] = schemas.flatMap((s) => refsWithin(s));
    while (pending.length > 0) {
      const ref = pending.pop()!;
      if (Object.hasOwn(out, ref)) continue;
      const target = resolvePointer(this.root, ref);
      out[ref] = isRecord(target) ? target : {};
      pending.push(...this.directRefs(ref, target));
    }
    return out;
  }

  private directRefs(ref: string, target: unknown): readonly string[] {
    let refs = this.direct.get(ref);
    if (!refs) {
      refs = refsWithin(target);
      this.direct.set(ref, refs);
    }
    return refs;
  }
}

/** Every `$ref` string inside a JSON value (examples skipped: they are data, not schema). */
export function refsWithin(node: unknown): string[] {
  const found = new Set<string>();
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (isRecord(current)) {
      for (const [key, value] of Object.entries(current)) {
        if (key === "$ref" && typeof value === "string") found.add(value);
        else if (key !== "example" && key !== "examples") stack.push(value);
      }
    }
  }
  return [...found];
}
