// Risk class of an ND operation: read | sensitive-read | write | destructive.
//
// The HTTP method is not enough (reference §8): some GETs return secrets or whole archives,
// some Orchestrator GETs change state, some POSTs only compute. The rule, in order:
//
//   1. The override table (risk-overrides.ts, keyed `<api>.<operationId>`) wins. It is data,
//      reviewed by hand, seeded from reference §8.1–§8.3 and from reading the documents.
//   2. GET / HEAD
//      a. operationId starting with a state-changing verb (sync, resync, clone, push, deploy,
//         delete, …)                                                   → write
//      b. operationId or path names secrets or bulk data (credential, password, secret,
//         api key, trusted key, CSR, tech support, backup download, …) → sensitive-read
//      c. ND declares role scopes and observer is not among them         → sensitive-read
//         (ND itself considers the read privileged; the scopes are a machine-readable floor)
//      d. otherwise                                                       → read
//   3. Any other method
//      a. DELETE                                                          → destructive
//      b. a destructive word in the operationId or in a literal path segment: delete, remove,
//         deboard, disconnect, deploy, redeploy, push, reload, reboot, restart, shutdown,
//         erase, wipe, purge, reset, restore, rollback, upgrade, downgrade, install, failover,
//         replace (as an action, not ND's `replaceX` = PUT convention), suspend, clear,
//         cleanup, migrate, decommission, factory                         → destructive
//      c. otherwise                                                       → write
//
// A POST is never inferred to be harmless: only the override table makes a POST a read
// (previews and queries), because a wrong "read" is a silent privilege escalation while a
// wrong "write" only asks for one more confirmation.

import type { HttpMethod, RiskClass } from "./operation.ts";
import { RISK_OVERRIDES, type RiskOverrides } from "./risk-overrides.ts";
import { splitWords } from "./words.ts";

export interface RiskInput {
  api: string;
  method: HttpMethod;
  /** The original operationId from the document. */
  operationId: string;
  /** Path template (relative or full; only literal segments are looked at). */
  path: string;
  scopes: readonly string[];
}

export interface RiskDecision {
  risk: RiskClass;
  reason: string;
}

const STATE_CHANGING_GET_VERBS = new Set([
  "sync",
  "resync",
  "clone",
  "push",
  "deploy",
  "delete",
  "remove",
  "create",
  "update",
  "set",
  "reset",
  "clear",
  "forced",
  "trigger",
  "apply",
  "execute",
  "restore",
  "reload",
  "reboot",
  "refresh",
  "rediscover",
  "discover",
  "recalculate",
  "rescan",
]);

/**
 * What an override may never go below, by method: the override table is keyed by operation id
 * alone, and a crafted or fetched document can give any method that id. A DELETE stays
 * destructive and a PUT/PATCH at least a write whatever the table says; only GETs and POSTs
 * (the reviewed compute-only POSTs) can be overridden down to a read.
 */
const OVERRIDE_FLOOR: Partial<Record<string, RiskClass>> = { DELETE: "destructive", PUT: "write", PATCH: "write" };
const RANK: Record<RiskClass, number> = { read: 0, "sensitive-read": 1, write: 2, destructive: 3 };

/** Whole words (after camelCase splitting) that mark a GET as exposing secrets or bulk data. */
const SENSITIVE_WORDS = new Set([
  "credential",
  "credentials",
  "password",
  "passwords",
  "passwd",
  "secret",
  "secrets",
  "techsupport",
  "csr",
  "apikey",
  "apikeys",
  "privatekey",
]);

/** Word pairs, adjacent in the operationId or path, with the same meaning. */
const SENSITIVE_PAIRS: ReadonlyArray<readonly [string, string]> = [
  ["tech", "support"],
  ["api", "key"],
  ["api", "keys"],
  ["secure", "key"],
  ["secure", "keys"],
  ["private", "key"],
  ["backup", "download"],
];

const DESTRUCTIVE_WORDS = new Set([
  "delete",
  "remove",
  "deboard",
  "deboarding",
  "disconnect",
  "deploy",
  "deployment",
  "deployments",
  "redeploy",
  "undeploy",
  "push",
  "reload",
  "reboot",
  "restart",
  "shutdown",
  "erase",
  "wipe",
  "purge",
  "reset",
  "restore",
  "rollback",
  "upgrade",
  "downgrade",
  "install",
  "installation",
  "failover",
  "replace",
  "suspend",
  "clear",
  "cleanup",
  "migrate",
  "decommission",
  "factory",
]);

export function classifyRisk(input: RiskInput, overrides: RiskOverrides = RISK_OVERRIDES): RiskDecision {
  const override = overrides[`${input.api}.${input.operationId}`];
  const floor = OVERRIDE_FLOOR[input.method];
  if (override && floor && RANK[override.risk] < RANK[floor]) {
    const generic = classifyChange(input);
    return {
      risk: generic.risk,
      reason: `${generic.reason} (the override for ${input.operationId}, ${override.risk}, does not apply to a ${input.method})`,
    };
  }
  if (override) return { risk: override.risk, reason: `override: ${override.reason}` };
  return input.method === "GET" ? classifyGet(input) : classifyChange(input);
}

/** GET, PUT and DELETE are idempotent by HTTP semantics; a POST only when it is a read. */
export function isIdempotent(method: HttpMethod, risk: RiskClass): boolean {
  if (method === "GET" || method === "PUT" || method === "DELETE") return true;
  return risk === "read" || risk === "sensitive-read";
}

function classifyGet(input: RiskInput): RiskDecision {
  const verb = splitWords(input.operationId)[0] ?? "";
  if (STATE_CHANGING_GET_VERBS.has(verb)) {
    return { risk: "write", reason: `GET whose operationId starts with "${verb}" changes state` };
  }
  const words = [...splitWords(input.operationId), ...literalPathWords(input.path)];
  const sensitive = sensitiveTerm(words);
  if (sensitive) return { risk: "sensitive-read", reason: `GET exposing ${sensitive}` };
  if (input.scopes.length > 0 && !input.scopes.includes("observer")) {
    return { risk: "sensitive-read", reason: `GET restricted by ND to ${input.scopes.join(", ")}` };
  }
  return { risk: "read", reason: "GET" };
}

function classifyChange(input: RiskInput): RiskDecision {
  if (input.method === "DELETE") return { risk: "destructive", reason: "DELETE" };
  const opWords = splitWords(input.operationId);
  // ND names whole-object PUTs replaceX; only "replace" as an action (…/actions/replace) counts.
  const candidates = [...(opWords[0] === "replace" ? opWords.slice(1) : opWords), ...literalPathWords(input.path)];
  const word = candidates.find((w) => DESTRUCTIVE_WORDS.has(w));
  if (word) return { risk: "destructive", reason: `${input.method} that says "${word}"` };
  return { risk: "write", reason: input.method };
}

function sensitiveTerm(words: readonly string[]): string | null {
  const single = words.find((w) => SENSITIVE_WORDS.has(w));
  if (single) return single;
  for (let i = 0; i + 1 < words.length; i++) {
    const pair = SENSITIVE_PAIRS.find(([a, b]) => words[i] === a && words[i + 1] === b);
    if (pair) return pair.join(" ");
  }
  return null;
}

/** Words of the literal (non-`{param}`) path segments, camelCase and punctuation split. */
function literalPathWords(path: string): string[] {
  return path
    .split("/")
    .filter((segment) => segment !== "" && !segment.startsWith("{"))
    .flatMap((segment) => splitWords(segment));
}
