// `bun run cli audit …`: verify the chain, export events, apply retention. Handlers follow the
// CliHandler contract (app/cli-context.ts): 0 ok, 1 failure (a broken chain), 2 usage.

import { open } from "node:fs/promises";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import type { AuditStatus } from "../audit/audit-event.ts";
import { exportLines, type ExportFormat } from "../audit/audit-export.ts";
import type { AuditFilter } from "../audit/audit-filter.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { retainAudit } from "../audit/audit-retain.ts";
import { verifyAuditChain } from "../audit/audit-verify.ts";
import { closeOpenIntents, describeIntent, findOpenIntents, OPEN_INTENT_MIN_AGE_MS } from "../audit/audit-intents.ts";

const OK = 0;
const FAILED = 1;
const USAGE = 2;

const EXPORT_USAGE =
  "usage: audit export --format csv|jsonl [--since WHEN] [--until WHEN] [--user NAME] [--action PREFIX] [--cluster NAME] [--status ok|denied|failed|pending|unknown] [--out FILE]\n" +
  "  WHEN is a date (2026-01-31), a time (2026-01-31T12:00:00Z) or an age (90d, 12h, 30m)";
const STATUSES: readonly AuditStatus[] = ["ok", "denied", "failed", "pending", "unknown"];

export function auditCommands(): Record<string, CliHandler> {
  return {
    "audit verify": verifyCommand,
    "audit export": exportCommand,
    "audit retain": retainCommand,
  };
}

/** `audit verify` — seals what is pending, walks the chain, names the first problem. */
export const verifyCommand: CliHandler = async (ctx) => {
  const { sql } = await ctx.db();
  const result = await verifyAuditChain(sql);
  if (result.problem) {
    ctx.err(result.problem.message);
    ctx.out(`audit chain NOT ok: ${result.checked} event(s) verified before the problem`);
    return FAILED;
  }
  if (result.checked === 0) {
    ctx.out("audit chain ok: no events yet");
    return OK;
  }
  const from = result.checkpointSeq
    ? ` (starts after events removed by retention, checkpoint ${result.checkpointSeq})`
    : "";
  ctx.out(
    `audit chain ok: ${result.checked} event(s) verified, sequence ${result.firstSeq} to ${result.lastSeq}${from}`,
  );
  if (result.unsealed > 0)
    ctx.out(`${result.unsealed} event(s) written during the check are not sealed yet; they are checked next time`);
  await reportOpenIntents(ctx, sql);
  return OK;
};

/** Writes whose outcome was never recorded: closed as `unknown` (old) or named as in flight. */
async function reportOpenIntents(ctx: CliContext, sql: Parameters<typeof findOpenIntents>[0]): Promise<void> {
  const closed = await closeOpenIntents(sql);
  for (const i of closed) ctx.out(`outcome unknown, check Nexus Dashboard: ${describeIntent(i)}`);
  if (closed.length)
    ctx.out(`${closed.length} write(s) had no recorded outcome; each now has an "unknown" outcome row`);
  const young = await findOpenIntents(sql, 0);
  if (young.length)
    ctx.out(
      `${young.length} write(s) started in the last ${OPEN_INTENT_MIN_AGE_MS / 60_000} minutes have no outcome yet (may still be running)`,
    );
}

/** `audit export --format csv|jsonl [filters] [--out FILE]` — streams, constant memory. */
export const exportCommand: CliHandler = async (ctx, args) => {
  const { options } = parseArgs(args);
  const format = options.format;
  const filter = exportFilter(options);
  if ((format !== "csv" && format !== "jsonl") || typeof filter === "string" || options.out === true) {
    ctx.err(typeof filter === "string" ? `${filter}\n${EXPORT_USAGE}` : EXPORT_USAGE);
    return USAGE;
  }
  const { sql } = await ctx.db();
  const out = typeof options.out === "string" ? options.out : null;
  const rows = out ? await exportToFile(sql, filter, format, out) : await exportToOutput(ctx, sql, filter, format);
  if (out) ctx.out(`exported ${rows} event(s) to ${out}`);
  // Reading the audit log in bulk is itself worth a line in it.
  await recordAudit(sql, {
    action: "audit.export",
    status: "ok",
    caller: ctx.caller(),
    target: { resourceType: "audit_events" },
    details: { format, rows, out, filter: describeFilter(filter) },
  });
  return OK;
};

/** `audit retain --days N` — removes events older than N days, leaving a checkpoint. */
export const retainCommand: CliHandler = async (ctx, args) => {
  const { options } = parseArgs(args);
  const days = Number(options.days);
  if (typeof options.days !== "string" || !/^\d+$/.test(options.days) || days < 1) {
    ctx.err("usage: audit retain --days N   (N ≥ 1: events older than N days are removed)");
    return USAGE;
  }
  const { sql } = await ctx.db();
  const outcome = await retainAudit(sql, ctx.caller(), { olderThanDays: days });
  if (outcome.removed === 0) ctx.out(`nothing to remove: no sealed events older than ${days} day(s)`);
  else
    ctx.out(
      `removed ${outcome.removed} event(s), sequence ${outcome.firstSeq} to ${outcome.lastSeq}; checkpoint event ${outcome.checkpointId} records it`,
    );
  return OK;
};

async function exportToOutput(
  ctx: CliContext,
  sql: Parameters<typeof exportLines>[0],
  filter: AuditFilter,
  format: ExportFormat,
): Promise<number> {
  let lines = 0;
  for await (const line of exportLines(sql, filter, format)) {
    ctx.out(line);
    lines++;
  }
  return format === "csv" ? lines - 1 : lines;
}

/** Writes in chunks of about 64 KiB; the file is private to the admin (0600). */
async function exportToFile(
  sql: Parameters<typeof exportLines>[0],
  filter: AuditFilter,
  format: ExportFormat,
  path: string,
): Promise<number> {
  const file = await open(path, "w", 0o600);
  let lines = 0;
  let buffer = "";
  try {
    for await (const line of exportLines(sql, filter, format)) {
      buffer += `${line}\n`;
      lines++;
      if (buffer.length >= 65_536) {
        await file.write(buffer);
        buffer = "";
      }
    }
    await file.write(buffer);
  } finally {
    await file.close();
  }
  return format === "csv" ? lines - 1 : lines;
}

/** The filter from options, or a message naming the bad option. */
export function exportFilter(options: Record<string, string | true>, now = new Date()): AuditFilter | string {
  const filter: AuditFilter = {};
  for (const key of ["since", "until"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    const when = typeof value === "string" ? parseWhen(value, now) : null;
    if (!when) return `--${key}: "${String(value)}" is not a date, a time or an age like 90d`;
    filter[key] = when;
  }
  for (const key of ["user", "action", "cluster"] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || value === "") return `--${key} needs a value`;
    filter[key] = value;
  }
  if (options.status !== undefined) {
    if (!STATUSES.includes(options.status as AuditStatus)) return `--status must be one of ${STATUSES.join(", ")}`;
    filter.status = options.status as AuditStatus;
  }
  return filter;
}

const AGE = /^(\d+)(m|h|d)$/;
const AGE_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A date/time (ISO-8601; a bare date is midnight UTC) or an age before `now`. */
export function parseWhen(text: string, now: Date): Date | null {
  const age = AGE.exec(text);
  if (age) return new Date(now.getTime() - Number(age[1]) * AGE_MS[age[2] as keyof typeof AGE_MS]);
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return null;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  return Number.isNaN(date.getTime()) ? null : date;
}

function describeFilter(f: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(f)) out[key] = value instanceof Date ? value.toISOString() : String(value);
  return out;
}
