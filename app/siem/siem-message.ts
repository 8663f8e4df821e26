/**
 * One audit event as a SIEM message: JSON or CEF text, inside an RFC 5424 syslog line or an
 * HEC event.
 *
 * Guarantees: the content is the stored (already redacted) audit row, as the JSONL export shows
 * it — nothing the export would not show leaves the appliance; every message carries the chain
 * sequence and hash (so the receiving side can check completeness and order) and says when it is
 * a replay; no message contains a raw line break or control character (JSON escapes them, CEF
 * and structured data get visible escapes), so one event is always one record on the far side.
 */
import { EXPORT_COLUMNS } from "../audit/audit-export.ts";
import type { AuditRecord } from "../audit/audit.sql.ts";
import type { MessageFormat } from "./siem-destination.ts";

export const APP_NAME = "nexus-mcp-gateway";
/** RFC 5612's documentation enterprise number: we have no IANA number of our own. */
const SD_ID = "nmg@32473";
/** Facility 13, "log audit" (RFC 5424 table 1). */
const FACILITY = 13;

export interface MessageContext {
  hostname: string;
  version: string;
  replay: boolean;
}

/** The event object: export columns in export order, plus `replay` when it is one. */
export function eventObject(row: AuditRecord, replay: boolean): Record<string, unknown> {
  const event: Record<string, unknown> = {};
  for (const column of EXPORT_COLUMNS) event[column] = row[column];
  if (replay) event.replay = true;
  return event;
}

// DEL and C1 controls: JSON.stringify leaves them raw, a terminal would act on them.
const C1 = /[\u007f-\u009f]/g;
const visible = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;

export function jsonText(row: AuditRecord, replay: boolean): string {
  return JSON.stringify(eventObject(row, replay)).replace(C1, visible);
}

/** syslog severity: failures are errors, refusals warnings, the rest informational. */
export function severity(row: AuditRecord): number {
  if (row.status === "failed") return 3;
  if (row.status === "denied" || row.decision === "deny") return 4;
  if (row.decision === "needs_approval" || row.status === "pending") return 5;
  return 6;
}

// --- CEF (ArcSight Common Event Format, revision 25) ---------------------------------------

const CEF_SEVERITY: Record<number, number> = { 3: 8, 4: 6, 5: 4, 6: 2 };
// Every C0/C1 control except the line breaks, which CEF escapes as \n and \r.
const CONTROL = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

const cefHeader = (text: string) =>
  text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/[\r\n]+/g, " ")
    .replace(CONTROL, visible);
const cefValue = (text: string) =>
  text
    .replace(/\\/g, "\\\\")
    .replace(/=/g, "\\=")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r")
    .replace(CONTROL, visible);

export function cefText(row: AuditRecord, ctx: Pick<MessageContext, "version" | "replay">): string {
  const ext: [string, unknown][] = [
    ["rt", Date.parse(row.occurredAt)],
    ["act", row.action],
    ["outcome", row.status],
    ["suser", row.username],
    ["suid", row.userId],
    ["src", isIp(row.clientIp) ? row.clientIp : null],
    ["requestClientApplication", row.userAgent],
    ["requestMethod", row.httpMethod],
    ["reason", row.reason],
    ["msg", row.error],
    ["cat", row.kind],
    ["externalId", row.id],
  ];
  // Custom fields come in label/value pairs; a pair without a value is left out.
  const custom: [string, string, unknown][] = [
    ["cs1", "operation", row.operationId],
    ["cs2", "cluster", row.clusterName],
    ["cs3", "decision", row.decision],
    ["cs4", "via", row.tokenName ?? row.via],
    ["cs5", "requestId", row.requestId],
    ["cs6", "callId", row.callId],
    ["cn1", "seq", row.seq],
    ["cn2", "upstreamStatus", row.upstreamStatus],
    ["cn3", "durationMs", row.durationMs],
    ["flexString1", "hash", row.hash],
    ["flexString2", "details", Object.keys(row.details ?? {}).length ? JSON.stringify(row.details) : null],
    ["cs7", "replay", ctx.replay ? "true" : null],
  ];
  for (const [key, label, value] of custom) {
    if (value !== null && value !== undefined && value !== "") ext.push([`${key}Label`, label], [key, value]);
  }
  const extension = ext
    .filter(([, v]) => v !== null && v !== undefined && v !== "")
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(" ");
  const header = [
    "CEF:0",
    "Nexus MCP Gateway",
    APP_NAME,
    ctx.version,
    row.action,
    row.operationName ?? row.action,
    String(CEF_SEVERITY[severity(row)] ?? 2),
  ];
  return `${header.map((h, i) => (i === 0 ? h : cefHeader(h))).join("|")}|${extension}`;
}

function isIp(value: string | null): boolean {
  return !!value && /^[0-9a-fA-F.:]+$/.test(value);
}

// --- RFC 5424 ---------------------------------------------------------------------------------

const sdValue = (text: string) =>
  text.replace(/[\\"\]]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f\u007f-\u009f]/g, visible);
/** PRINTUSASCII without space, bounded (RFC 5424 §6.2): hostnames ≤ 255, app ≤ 48, msgid ≤ 32. */
const header = (text: string | null, max: number) =>
  (text ? text.replace(/[^\x21-\x7e]/g, "_").slice(0, max) : "-") || "-";

/** One RFC 5424 line: header, structured data with seq/hash/replay, then the JSON or CEF body. */
export function syslogLine(row: AuditRecord, format: MessageFormat, ctx: MessageContext): string {
  const pri = FACILITY * 8 + severity(row);
  const sd = [`seq="${sdValue(row.seq ?? "")}"`, `hash="${sdValue(row.hash ?? "")}"`, `id="${sdValue(row.id)}"`];
  if (ctx.replay) sd.push(`replay="true"`);
  const body = format === "cef" ? cefText(row, ctx) : jsonText(row, ctx.replay);
  // The BOM says the message is UTF-8 (RFC 5424 §6.4).
  return `<${pri}>1 ${row.occurredAt} ${header(ctx.hostname, 255)} ${APP_NAME} - ${header(row.action, 32)} [${SD_ID} ${sd.join(" ")}] \ufeff${body}`;
}

/** RFC 5425 / RFC 6587 octet-counting frame: "LENGTH SP MESSAGE", length in bytes. */
export function octetFrame(line: string): Buffer {
  const body = Buffer.from(line, "utf8");
  return Buffer.concat([Buffer.from(`${body.length} `, "ascii"), body]);
}

/** One Splunk HEC event (JSON, `_json` source type); time in seconds with microseconds. */
export function hecEvent(row: AuditRecord, ctx: MessageContext): string {
  const time = Date.parse(row.occurredAt) / 1000;
  return JSON.stringify({
    time,
    host: ctx.hostname,
    source: APP_NAME,
    sourcetype: "_json",
    event: eventObject(row, ctx.replay),
  }).replace(C1, visible);
}
