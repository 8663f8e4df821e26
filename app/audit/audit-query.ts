// The audit log as the UI reads it: filtered, newest first, in pages. Pages are keyset-based
// (occurred_at, id), so page 1,000 costs what page 1 does and new events never shift a page.

import { Invalid } from "../errors.ts";
import type { PendingQuery, Row } from "postgres";
import { filterCondition, textQuery, type AuditFilter } from "./audit-filter.ts";
import { recordColumns, type AuditRecord, type Db } from "./audit.sql.ts";

export interface AuditPageRequest {
  /** Rows per page, 1–500 (default 50). */
  limit?: number;
  /** `nextCursor` of the previous page; absent for the first page. */
  cursor?: string | null;
}

export interface AuditPage {
  rows: AuditRecord[];
  /** Pass back to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

interface Position {
  occurredAt: string;
  id: string;
}

const CURSOR = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z)\|(\d{1,19})$/;

export async function queryAudit(db: Db, filter: AuditFilter, page: AuditPageRequest = {}): Promise<AuditPage> {
  const limit = Math.max(1, Math.min(500, Math.trunc(page.limit ?? 50)));
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  // Sent as text: the driver would round a timestamptz parameter to milliseconds and skip rows.
  const before = after
    ? db`(occurred_at, id) < (${after.occurredAt}::text::timestamptz, ${after.id}::bigint)`
    : db`true`;
  const where = db`${filterCondition(db, filter)} and ${before}`;
  const few = textQuery(filter.text ?? "") !== null && (await countUpTo(db, where, FEW_MATCHES)) < FEW_MATCHES;
  const rows = few ? await newestOfFew(db, where, limit + 1) : await newestByTime(db, where, limit + 1);
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : [...rows];
  const last = pageRows[pageRows.length - 1];
  return { rows: pageRows, nextCursor: more && last ? encodeCursor(last) : null };
}

/**
 * Free text that matches few events is answered from the text index, then sorted; walking the
 * time index newest-first would visit most of the log to find them. The planner cannot tell
 * the two cases apart (prefix matches have no useful statistics), so a bounded count decides.
 */
const FEW_MATCHES = 1000;

async function countUpTo(db: Db, where: PendingQuery<Row[]>, cap: number): Promise<number> {
  const rows = await db<{ n: number }[]>`
    select count(*)::int as n from (select 1 from audit_events where ${where} limit ${cap}) as matches`;
  return rows[0]!.n;
}

async function newestByTime(db: Db, where: PendingQuery<Row[]>, n: number): Promise<AuditRecord[]> {
  return db<AuditRecord[]>`
    select ${recordColumns(db)} from audit_events where ${where}
     order by occurred_at desc, id desc limit ${n}`;
}

async function newestOfFew(db: Db, where: PendingQuery<Row[]>, n: number): Promise<AuditRecord[]> {
  return db<AuditRecord[]>`
    with matches as materialized (select id, occurred_at from audit_events where ${where})
    select ${recordColumns(db)} from audit_events
     where id in (select id from matches order by occurred_at desc, id desc limit ${n})
     order by occurred_at desc, id desc`;
}

/** One event by id (the UI's detail view), or null. */
export async function getAuditEvent(db: Db, id: string): Promise<AuditRecord | null> {
  if (!isBigint(id)) return null;
  const rows = await db<AuditRecord[]>`select ${recordColumns(db)} from audit_events where id = ${id}::bigint`;
  return rows[0] ?? null;
}

/** The events of one call (a write's intent, then its outcome), oldest first. */
export async function callEvents(db: Db, callId: string): Promise<AuditRecord[]> {
  return db<AuditRecord[]>`
    select ${recordColumns(db)} from audit_events where call_id = ${callId} order by occurred_at, id limit 100`;
}

const MAX_BIGINT = 9_223_372_036_854_775_807n;

function isBigint(text: string): boolean {
  return /^\d{1,19}$/.test(text) && BigInt(text) <= MAX_BIGINT;
}

export function encodeCursor(p: Position): string {
  return Buffer.from(`${p.occurredAt}|${p.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): Position {
  const m = CURSOR.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!m || !isBigint(m[2]!))
    throw new Invalid("this page link is not valid any more; start again from the first page");
  return { occurredAt: m[1]!, id: m[2]! };
}
