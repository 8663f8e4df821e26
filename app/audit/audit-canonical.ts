/**
 * The canonical encoding of an audit record and its chain hash — the one definition shared by
 * the sealer (which writes hashes) and the verifier (which recomputes them).
 *
 * Guarantees: the encoding is a JSON array with a version tag and every stored column in a fixed
 * order (objects inside `details` with keys sorted, recursively), so it is unambiguous and the
 * same record always gives the same bytes; the hash covers the record's id, chain position and
 * predecessor's hash, so changing, moving or re-linking a row changes its hash and breaks the
 * link from its successor. Only the `hash` column itself is outside the encoding.
 *
 * Changing this file invalidates every stored hash: add a new version tag instead.
 */
import { createHash } from "node:crypto";
import type { AuditRecord } from "./audit.sql.ts";

export const CANONICAL_VERSION = "nmg-audit-v1";
/** The predecessor of the first event ever sealed. */
export const GENESIS_HASH = "0".repeat(64);

/** The record's content as stored, without the chain columns the sealer adds. */
export type ChainContent = Omit<AuditRecord, "seq" | "prevHash" | "hash">;

export function canonicalEncoding(r: ChainContent, seq: string, prevHash: string): string {
  return JSON.stringify([
    CANONICAL_VERSION,
    r.id,
    seq,
    prevHash,
    r.kind,
    r.occurredAt,
    r.action,
    r.status,
    r.userId,
    r.username,
    r.via,
    r.tokenName,
    r.clientIp,
    r.userAgent,
    r.operationId,
    r.operationName,
    r.httpMethod,
    r.clusterId,
    r.clusterName,
    r.resourceType,
    r.resourceId,
    r.decision,
    r.reason,
    r.error,
    r.upstreamStatus,
    r.durationMs,
    r.requestId,
    r.callId,
    sortKeys(r.details),
  ]);
}

/** SHA-256 (hex) of the canonical encoding: the value stored in `hash`. */
export function chainHash(r: ChainContent, seq: string, prevHash: string): string {
  return createHash("sha256")
    .update(canonicalEncoding(r, seq, prevHash), "utf8")
    .digest("hex");
}

/** A copy with every object's keys in code-unit order, so insertion order never matters. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
