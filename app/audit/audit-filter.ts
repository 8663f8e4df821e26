// Filters over audit events, shared by the UI query and the export, turned into one SQL
// condition. Every value is a bind parameter; filters are written so that the indexes of
// sql/0003_audit.sql can serve them (exact username, action prefix as a text_pattern_ops range,
// non-ok status / non-allow decision through the partial "attention" index, free text through
// the search vector's GIN index).

import type { PendingQuery, Row } from "postgres";
import type { AuditDecision, AuditStatus } from "./audit-event.ts";
import type { Db } from "./audit.sql.ts";

export interface AuditFilter {
  /** Inclusive. */
  since?: Date;
  /** Exclusive. */
  until?: Date;
  /** Exact username. */
  user?: string;
  /** Action prefix: "mcp." matches mcp.call, mcp.denied, … */
  action?: string;
  /** Exact cluster name. */
  cluster?: string;
  /** Exact operation id. */
  operation?: string;
  status?: AuditStatus;
  decision?: AuditDecision;
  /** Words, each matched as a word prefix, all required. */
  text?: string;
}

/** Above any code point a stored action can contain after its prefix (UTF-8 byte order). */
const AFTER_PREFIX = String.fromCodePoint(0x10ffff);
const MAX_WORDS = 8;

export function filterCondition(db: Db, f: AuditFilter): PendingQuery<Row[]> {
  const parts: PendingQuery<Row[]>[] = [];
  if (f.since) parts.push(db`occurred_at >= ${f.since}`);
  if (f.until) parts.push(db`occurred_at < ${f.until}`);
  if (f.user) parts.push(db`username = ${f.user}`);
  if (f.action) parts.push(db`action ~>=~ ${f.action} and action ~<~ ${f.action + AFTER_PREFIX}`);
  if (f.cluster) parts.push(db`cluster_name = ${f.cluster}`);
  if (f.operation) parts.push(db`operation_id = ${f.operation}`);
  if (f.status) parts.push(db`status = ${f.status}`);
  if (f.decision) parts.push(db`decision = ${f.decision}`);
  // Implied by those filters; spelled out as the partial index audit_events_attention_time is.
  if ((f.status && f.status !== "ok") || (f.decision && f.decision !== "allow")) {
    parts.push(db`(status <> 'ok' or decision <> 'allow')`);
  }
  const query = f.text ? textQuery(f.text) : null;
  if (query) {
    parts.push(db`search @@ to_tsquery('simple', ${query})`);
  }
  return parts.reduce((all, part) => db`${all} and ${part}`, db`true`);
}

/**
 * A tsquery of word prefixes ("vrf fail" → "vrf:* & fail:*"), or null when the text has no
 * words. Words are letters and digits only, so nothing the user types is tsquery syntax.
 */
export function textQuery(text: string): string | null {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words.length === 0) return null;
  return words
    .slice(0, MAX_WORDS)
    .map((w) => `${w}:*`)
    .join(" & ");
}
