/**
 * Page 8: the audit log. Thin routes over the audit domain: `queryAudit` (keyset pages),
 * `getAuditEvent`/`callEvents` (detail and the intent/outcome rows of one call),
 * `verifyAuditChain`, and `exportLines` streamed as the response body (constant memory, the same
 * CSV/JSONL neutralisation as the CLI). An export is itself audited, with the filter.
 */
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditDecision, AuditStatus } from "../audit/audit-event.ts";
import { exportLines, type ExportFormat } from "../audit/audit-export.ts";
import type { AuditFilter } from "../audit/audit-filter.ts";
import { callEvents, getAuditEvent, queryAudit } from "../audit/audit-query.ts";
import { verifyAuditChain } from "../audit/audit-verify.ts";
import type { AuditRecord } from "../audit/audit.sql.ts";
import { AppError, Invalid, NotFound } from "../errors.ts";
import {
  auditDetail,
  auditPage,
  auditResults,
  FILTER_KEYS,
  verifyResult,
  type AuditFilterForm,
  type AuditRowView,
} from "../../views/audit.ts";
import { html } from "../../views/html.ts";
import { notice } from "../../views/layout.ts";
import { get, post, type SignedInRequest, type UiRoute } from "./ui-route.ts";

const STATUSES: readonly AuditStatus[] = ["ok", "denied", "failed", "pending"];
const DECISIONS: readonly AuditDecision[] = ["allow", "deny", "needs_approval"];

function formOf(url: URL): AuditFilterForm {
  const f = {} as AuditFilterForm;
  for (const k of FILTER_KEYS) f[k] = (url.searchParams.get(k) ?? "").trim().slice(0, 200);
  return f;
}

/** A time from the form: datetime-local (read as UTC), a date, or ISO 8601. */
function parseTime(value: string, name: string): Date | undefined {
  if (!value) return undefined;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00Z`
    : /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)
      ? `${value}Z`
      : value;
  const d = new Date(text);
  if (Number.isNaN(d.getTime()))
    throw new Invalid(`${name}: “${value}” is not a date and time; use e.g. 2026-12-04T09:30`);
  return d;
}

export function toFilter(f: AuditFilterForm): AuditFilter {
  if (f.status && !STATUSES.includes(f.status as AuditStatus))
    throw new Invalid(`status must be one of ${STATUSES.join(", ")}`);
  if (f.decision && !DECISIONS.includes(f.decision as AuditDecision))
    throw new Invalid(`decision must be one of ${DECISIONS.join(", ")}`);
  const filter: AuditFilter = {};
  const since = parseTime(f.since, "From");
  const until = parseTime(f.until, "Until");
  if (since) filter.since = since;
  if (until) filter.until = until;
  if (f.user) filter.user = f.user;
  if (f.action) filter.action = f.action;
  if (f.operation) filter.operation = f.operation;
  if (f.cluster) filter.cluster = f.cluster;
  if (f.status) filter.status = f.status as AuditStatus;
  if (f.decision) filter.decision = f.decision as AuditDecision;
  if (f.q) filter.text = f.q;
  return filter;
}

const view = (r: AuditRecord): AuditRowView => ({ ...r, status: r.status, decision: r.decision });

function describe(f: AuditFilter): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(f)) out[key] = value instanceof Date ? value.toISOString() : String(value);
  return out;
}

/** The export as a stream: lines are batched into ~64 KiB chunks; the database cursor ends with it. */
function exportStream(req: SignedInRequest, filter: AuditFilter, format: ExportFormat): ReadableStream<Uint8Array> {
  const lines = exportLines(req.deps.sql, filter, format)[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = "";
      while (chunk.length < 65_536) {
        const next = await lines.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += `${next.value}\n`;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await lines.return?.(undefined);
    },
  });
}

export function auditRoutes(): UiRoute[] {
  return [
    get("/audit", "audit:read", async (req) => {
      const form = formOf(req.url);
      const cursor = req.url.searchParams.get("cursor");
      let error: string | null = null;
      let page = { rows: [] as AuditRecord[], nextCursor: null as string | null };
      try {
        page = await queryAudit(req.deps.sql, toFilter(form), { limit: 50, cursor });
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        error = err.message;
      }
      const rows = page.rows.map(view);
      const results = auditResults(rows, form, page.nextCursor, !cursor);
      return {
        title: "Audit log",
        status: error ? 400 : 200,
        main: auditPage({
          filter: form,
          rows,
          nextCursor: page.nextCursor,
          first: !cursor,
          statuses: STATUSES,
          decisions: DECISIONS,
          error,
        }),
        fragment: error ? html`<div id="audit-results">${notice("bad", error)}</div>` : results,
      };
    }),

    get("/audit/export", "audit:read", async (req) => {
      const format = req.url.searchParams.get("format") ?? "csv";
      if (format !== "csv" && format !== "jsonl") throw new Invalid("format must be csv or jsonl");
      const filter = toFilter(formOf(req.url));
      // Reading the audit log in bulk is itself worth a line in it (as from the CLI).
      await recordAudit(req.deps.sql, {
        action: "audit.export",
        status: "ok",
        caller: req.session.caller,
        target: { resourceType: "audit_events" },
        details: { format, via: "ui", filter: describe(filter) },
      });
      const stamp = new Date().toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
      return new Response(exportStream(req, filter, format), {
        headers: {
          "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
          "content-disposition": `attachment; filename="audit-${stamp}.${format}"`,
          "cache-control": "no-store",
        },
      });
    }),

    post("/audit/verify", "audit:read", async (req) => {
      // Seals what is pending first, exactly like `audit verify`.
      const r = await verifyAuditChain(req.deps.sql);
      const result = verifyResult({
        ok: r.problem === null,
        checked: r.checked,
        firstSeq: r.firstSeq,
        lastSeq: r.lastSeq,
        checkpointSeq: r.checkpointSeq,
        unsealed: r.unsealed,
        problem: r.problem?.message ?? null,
      });
      return {
        title: "Audit chain",
        main: html`<h1>Audit chain</h1>${result}<p><a href="/audit">Back to the audit log</a></p>`,
        fragment: result,
        status: r.problem ? 409 : 200,
      };
    }),

    get("/audit/:id", "audit:read", async (req) => {
      const row = await getAuditEvent(req.deps.sql, req.params.id!);
      if (!row)
        throw new NotFound(
          `audit event ${req.params.id!.slice(0, 30)} does not exist (it may have been removed by retention)`,
        );
      const linked = row.callId ? await callEvents(req.deps.sql, row.callId) : [];
      return { title: `Audit event ${row.id}`, main: auditDetail(view(row), linked.map(view)) };
    }),
  ];
}
