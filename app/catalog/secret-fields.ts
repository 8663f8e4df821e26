// Property names in a response schema that look like secrets (password, passphrase, secret,
// private key, API key, token). Not used for the risk class — ND's own fabric and tenant
// objects carry such fields and are everyday reads — but handed to response shaping so that it
// knows what to redact (reference §11: "redact password" on sites, nodes, …).

import { isRecord } from "./openapi-load.ts";
import type { JsonSchema } from "./operation.ts";
import { refsWithin } from "./json-ref.ts";

const SECRET_NAME = /pass(word|wd|phrase)|secret|private.?key|encryption.?key|^api.?key$|^token$|auth.?key/i;
/** Names that mention a secret but describe it (policy, length, timestamps, flags). */
const DESCRIPTIVE_SUFFIX = /(policy|time|length|config|status|encrypted|name|enabled|type|id)$/i;

export function isSecretFieldName(name: string): boolean {
  return SECRET_NAME.test(name) && !DESCRIPTIVE_SUFFIX.test(name);
}

/** Sorted secret-looking property names reachable from `schema` through `schemas`. */
export function secretFieldsOf(schema: JsonSchema | null, schemas: Readonly<Record<string, JsonSchema>>): string[] {
  if (!schema) return [];
  const found = new Set<string>();
  const seen = new Set<string>();
  const pending: unknown[] = [schema];
  while (pending.length > 0) {
    const node = pending.pop();
    collectNames(node, found);
    for (const ref of refsWithin(node)) {
      if (seen.has(ref)) continue;
      seen.add(ref);
      pending.push(schemas[ref]);
    }
  }
  return [...found].sort();
}

function collectNames(node: unknown, found: Set<string>): void {
  const stack: unknown[] = [node];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      for (const item of current) stack.push(item);
    } else if (isRecord(current)) {
      if (isRecord(current.properties)) {
        for (const name of Object.keys(current.properties)) if (isSecretFieldName(name)) found.add(name);
      }
      for (const [key, value] of Object.entries(current)) {
        if (key !== "example" && key !== "examples") stack.push(value);
      }
    }
  }
}
