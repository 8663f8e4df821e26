/**
 * Exporting audit events as CSV or JSON Lines.
 *
 * Guarantees: rows stream through a database cursor, so memory stays constant whatever the size
 * of the log; CSV cells that a spreadsheet would run as a formula (starting with = + - @, tab or
 * carriage return) are neutralised with a leading single quote, control characters (ESC, CR, LF,
 * BEL, DEL, C1 — anything a terminal would act on) are shown as visible `\uXXXX` escapes, and every
 * cell is quoted as RFC 4180 requires; JSON Lines carry each event exactly as stored, one object
 * per line, with DEL and C1 controls escaped too (JSON already escapes the C0 ones).
 */
import type { Sql } from "postgres";
import { filterCondition, type AuditFilter } from "./audit-filter.ts";
import { recordColumns, type AuditRecord } from "./audit.sql.ts";

export type ExportFormat = "csv" | "jsonl";

/** Column order of the CSV (and key order of JSON Lines). */
export const EXPORT_COLUMNS = [
  "occurredAt",
  "seq",
  "id",
  "kind",
  "action",
  "status",
  "userId",
  "username",
  "via",
  "tokenName",
  "clientIp",
  "userAgent",
  "operationId",
  "operationName",
  "httpMethod",
  "clusterId",
  "clusterName",
  "resourceType",
  "resourceId",
  "decision",
  "reason",
  "error",
  "upstreamStatus",
  "durationMs",
  "requestId",
  "callId",
  "details",
  "prevHash",
  "hash",
] as const satisfies readonly (keyof AuditRecord)[];

/** Lines of the export, oldest first, without line terminators; CSV starts with its header. */
export async function* exportLines(
  sql: Sql,
  filter: AuditFilter,
  format: ExportFormat,
  fetchSize = 500,
): AsyncGenerator<string> {
  if (format === "csv") yield EXPORT_COLUMNS.map(csvCell).join(",");
  const cursor = sql<AuditRecord[]>`
    select ${recordColumns(sql)} from audit_events
     where ${filterCondition(sql, filter)}
     order by occurred_at, id`.cursor(fetchSize);
  for await (const rows of cursor) {
    for (const row of rows) yield format === "csv" ? csvLine(row) : jsonLine(row);
  }
}

export function csvLine(row: AuditRecord): string {
  return EXPORT_COLUMNS.map((column) => csvCell(cellText(row[column]))).join(",");
}

export function jsonLine(row: AuditRecord): string {
  const ordered: Record<string, unknown> = {};
  for (const column of EXPORT_COLUMNS) ordered[column] = row[column];
  return JSON.stringify(ordered).replace(C1, visible);
}

// C0 controls but tab, DEL and C1 controls; tab stays (it is neutralised as a formula lead only).
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f]/g;
const C1 = /[\u007f-\u009f]/g;
const visible = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** One CSV cell: formula triggers neutralised, control characters made visible, always quoted, quotes doubled. */
export function csvCell(text: string): string {
  const formula = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  const safe = formula.replace(CONTROL, visible);
  return `"${safe.replace(/"/g, '""')}"`;
}
