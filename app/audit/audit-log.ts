/**
 * Recording audit events: `recordAudit(tx, event)` inside the caller's transaction, so the
 * event commits (or rolls back) together with the change it describes.
 *
 * Guarantees: what is stored has been through audit-redact.ts (no secret under a secret-looking
 * key, no bearer/`nmg_` token anywhere, bounded size); the server clock sets the time; the insert
 * takes no lock beyond its own row, so concurrent callers never queue behind each other.
 *
 * Design (why the chain is not computed here): a hash chain needs each row to know its
 * predecessor's hash, which done at insert time means one global lock held until every caller's
 * transaction commits — the whole server would serialise on the audit log. Instead inserts are
 * plain appends with a bigserial id, and the sealer (audit-seal.ts) links committed rows into the
 * chain a fraction of a second later, in batches, under an advisory lock, on whichever node gets
 * there first. The window in which a row is unsealed is that fraction of a second; `audit verify`
 * seals before it checks.
 */
import type { AnonymousActor, AuditEventInput } from "./audit-event.ts";
import { normaliseRow } from "./audit-normalise.ts";
import { cleanText, redactDetails } from "./audit-redact.ts";
import { insertAuditEvent, type Db, type NewAuditRow } from "./audit.sql.ts";
import { announceLocalChange } from "../cache/change-feed.ts";

const SHORT = 200;
const MEDIUM = 500;
const LONG = 4000;

/** Writes one event in `db` (a pool or, normally, the caller's transaction). Returns its id. */
export async function recordAudit(db: Db, event: AuditEventInput): Promise<{ id: string }> {
  // Every state change is audited in its transaction, so this is where this node learns that
  // it changed something its caches hold (change-feed.ts). MCP calls change nothing cached.
  if (!event.action.startsWith("mcp.")) await announceLocalChange(db);
  const id = await insertAuditEvent(db, toRow(event));
  wakeSealers();
  return { id };
}

/**
 * The stored form of an event: every text masked and bounded, details redacted, then normalised
 * (audit-normalise.ts) so no content can make the insert fail.
 */
export function toRow(e: AuditEventInput): NewAuditRow {
  return normaliseRow(boundedRow(e));
}

/** The stored actor fields: from the Caller, or what an anonymous event knows. */
function actorOf(e: AuditEventInput): AnonymousActor {
  if (!e.caller) return e.actor ?? {};
  const { principal, actor } = e.caller;
  return {
    userId: principal.userId || null,
    username: principal.username,
    via: actor.via,
    tokenName: actor.tokenName ?? principal.token?.name ?? null,
    clientIp: actor.ip,
    userAgent: actor.userAgent,
  };
}

function boundedRow(e: AuditEventInput): NewAuditRow {
  const a = actorOf(e);
  const t = e.target ?? {};
  const c = e.cluster ?? {};
  return {
    action: cleanText(e.action, SHORT) ?? "unknown",
    status: e.status,
    userId: cleanText(a.userId, SHORT),
    username: cleanText(a.username, SHORT),
    via: cleanText(a.via, SHORT),
    tokenName: cleanText(a.tokenName, SHORT),
    clientIp: cleanText(a.clientIp, 100),
    userAgent: cleanText(a.userAgent, MEDIUM),
    operationId: cleanText(t.operationId, MEDIUM),
    operationName: cleanText(t.operationName, MEDIUM),
    httpMethod: cleanText(t.method?.toUpperCase(), 16),
    clusterId: cleanText(c.id, SHORT),
    clusterName: cleanText(c.name, SHORT),
    resourceType: cleanText(t.resourceType, SHORT),
    resourceId: cleanText(t.resourceId, MEDIUM),
    decision: e.decision ?? null,
    reason: cleanText(e.reason, LONG),
    error: cleanText(e.error, LONG),
    upstreamStatus: wholeNumber(e.upstreamStatus),
    durationMs: wholeNumber(e.durationMs),
    requestId: cleanText(e.requestId ?? e.caller?.requestId, SHORT),
    callId: cleanText(e.callId, SHORT),
    details: redactDetails(e.details),
  };
}

function wholeNumber(n: number | null | undefined): number | null {
  if (n === null || n === undefined || !Number.isFinite(n)) return null;
  return Math.max(0, Math.min(2_147_483_647, Math.round(n)));
}

// A process-local hint, not state: sealers in this process seal soon after an insert instead of
// waiting for their next poll. Other nodes' sealers find the rows by polling.
const wakers = new Set<() => void>();

export function onAuditWritten(wake: () => void): () => void {
  wakers.add(wake);
  return () => wakers.delete(wake);
}

/** For writers that insert without recordAudit (the group-commit batcher). */
export function wakeSealers(): void {
  for (const wake of wakers) wake();
}
