// Catalog ids: `<api>.<operationId>`, usable as MCP tool names ([A-Za-z0-9_.-], 1–64 chars).
//
// Invariants: an id depends only on (api, original operationId) and the set of operationIds in
// the same document, so re-importing a document keeps every id; ids are unique within a
// document and, because each api is one catalog source, unique across the catalog. The
// original operationId is kept next to the id for routing (ND's "list version history" has
// spaces; the prior implementation lost one 67-char operation entirely by falling back to the
// bare operationId).

import { createHash } from "node:crypto";

export const MAX_ID_LENGTH = 64;
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const HASH_LENGTH = 6;

/** Replaces every run of characters outside [A-Za-z0-9_-] with "_". */
export function sanitizeIdPart(raw: string): string {
  const cleaned = raw.replace(/[^A-Za-z0-9_-]+/g, "_").replace(/^_+|_+$/g, "");
  return cleaned === "" ? "op" : cleaned;
}

/** Lower-case api names: they double as source names and id prefixes. */
export function sanitizeApiName(raw: string): string {
  const cleaned = raw
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return cleaned === "" ? "api" : cleaned.slice(0, 32);
}

function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, HASH_LENGTH);
}

/** `<api>.<operationId>`, shortened deterministically with a hash of the original when long. */
export function catalogId(api: string, operationId: string): string {
  const id = `${api}.${sanitizeIdPart(operationId)}`;
  if (id.length <= MAX_ID_LENGTH) return id;
  return withHash(id, `${api}.${operationId}`);
}

function withHash(id: string, original: string): string {
  return `${id.slice(0, MAX_ID_LENGTH - HASH_LENGTH - 1)}-${shortHash(original)}`;
}

/**
 * Ids for all operationIds of one document. When two originals sanitise to the same id
 * ("a b" and "a_b"), the lexicographically first original keeps the plain id and the others
 * get a hash suffix, so the result does not depend on the order of paths in the file.
 */
export function assignCatalogIds(api: string, operationIds: readonly string[]): Map<string, string> {
  const ids = new Map<string, string>();
  const taken = new Set<string>();
  for (const original of [...new Set(operationIds)].sort()) {
    let id = catalogId(api, original);
    if (taken.has(id)) id = withHash(id, `${api}.${original}`);
    if (taken.has(id)) id = withHash(id, `${api}.${original}#${taken.size}`);
    taken.add(id);
    ids.set(original, id);
  }
  return ids;
}
