/** Local `$ref` resolution (`#/components/...`) — the only kind Cisco's documents use. */
import type { OpenApiDocument } from "./openapi-types.ts";

export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Follows a chain of `$ref`s; returns the object itself when it is not a reference. */
export function deref<T extends { $ref?: string }>(doc: OpenApiDocument, value: T): T {
  let current: T = value;
  for (let hops = 0; hops < 16 && current && typeof current.$ref === "string"; hops++) {
    const next = resolvePointer(doc, current.$ref) as T | undefined;
    if (!next) return current;
    current = next;
  }
  return current;
}
