/**
 * A route for every operation of the loaded Cisco documents. The answer of each operation is
 * built on first use and cached as text: the spec's own example when it validates against the
 * response schema (unwrapping the `{"value": …}` mistake of some Manage examples), otherwise a
 * value generated from the schema with an Rng seeded by (run seed, api, operationId).
 */
import { unifiedError } from "../http/errors.ts";
import { jsonText, noContent } from "../http/respond.ts";
import { familyOf, type SimRoute } from "../http/route.ts";
import { rngFor, type Rng } from "../prng.ts";
import { generateFromSchema } from "./generate-from-schema.ts";
import { plantSecrets } from "./plant-secrets.ts";
import type { LoadedSpec } from "./load-specs.ts";
import { deref } from "./resolve-ref.ts";
import { listOperations, type SpecOperation } from "./spec-operations.ts";
import { validateSchema } from "./validate-schema.ts";

export interface SpecAnswer {
  status: number;
  body: string | null;
  source: "example" | "generated" | "empty";
}

export function specRoutes(specs: LoadedSpec[], seed: number): { routes: SimRoute[]; operations: SpecOperation[] } {
  const operations = specs.flatMap(listOperations);
  const routes = operations.map((op) => specRoute(op, seed));
  return { routes, operations };
}

function specRoute(op: SpecOperation, seed: number): SimRoute {
  let answer: SpecAnswer | undefined;
  return {
    method: op.method,
    path: op.fullPath,
    family: familyOf(op.fullPath),
    scopes: op.scopes,
    handle: ({ query }) => {
      const missing = op.requiredQuery.filter((name) => !query.has(name));
      if (missing.length > 0) return unifiedError(400, `Missing required query parameter(s): ${missing.join(", ")}`);
      answer ??= buildAnswer(op, seed);
      const headers = { "X-Ndsim-Source": answer.source };
      return answer.body === null ? noContent(answer.status, headers) : jsonText(answer.body, answer.status, headers);
    },
  };
}

export function buildAnswer(op: SpecOperation, seed: number): SpecAnswer {
  if (op.successStatus === 204) return { status: 204, body: null, source: "empty" };
  const media = op.media;
  if (!media) return { status: op.successStatus, body: "{}", source: "empty" };
  const rng = rngFor(seed, "spec", op.api, op.operationId, op.method, op.path);
  const example = validExample(op);
  if (example !== undefined)
    return { status: op.successStatus, body: JSON.stringify(withSecrets(op, example, rng)), source: "example" };
  if (!media.schema) return { status: op.successStatus, body: "{}", source: "empty" };
  const value = generateFromSchema(op.doc, media.schema, rng);
  return { status: op.successStatus, body: JSON.stringify(withSecrets(op, value ?? null, rng)), source: "generated" };
}

/** Planted secrets are kept only if the answer still satisfies its schema (patterns, lengths). */
function withSecrets(op: SpecOperation, value: unknown, rng: Rng): unknown {
  const planted = plantSecrets(value, rng);
  const schema = op.media?.schema;
  return schema && validateSchema(op.doc, schema, planted) ? value : planted;
}

function validExample(op: SpecOperation): unknown {
  const media = op.media;
  if (!media) return undefined;
  const schema = media.schema;
  const candidates: unknown[] = [
    media.example,
    ...Object.values(media.examples ?? {}).map((e) => deref(op.doc, e).value),
  ];
  if (schema) candidates.push(deref(op.doc, schema).example);
  const declaresValue = schema !== undefined && deref(op.doc, schema).properties?.value !== undefined;
  for (const candidate of candidates) {
    // A `{"value": …}` wrapper is never served as is: a loose schema would accept it, but it is
    // not the payload. Only its content is a candidate.
    const payload = declaresValue ? candidate : (unwrapValue(candidate) ?? candidate);
    if (payload === undefined) continue;
    if (!schema || !validateSchema(op.doc, schema, payload)) return payload;
  }
  return undefined;
}

/** Four Manage examples nest the payload as `{"value": …}` (reference §10.1 #5). */
function unwrapValue(example: unknown): unknown {
  if (typeof example === "object" && example !== null && !Array.isArray(example)) {
    const keys = Object.keys(example);
    if (keys.length === 1 && keys[0] === "value") return (example as { value: unknown }).value;
  }
  return undefined;
}
