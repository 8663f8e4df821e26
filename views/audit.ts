/**
 * Page 8: the audit log. Filters (a plain GET form, so a filtered view is a link), the result
 * table with keyset paging, one event's detail with its linked intent/outcome rows and chain
 * position, the chain verification result, and export links for the current filter.
 * Every stored value — user names, user agents, details, ND strings — is escaped.
 */
import { EMPTY, html, json, type SafeHtml } from "./html.ts";
import { notice } from "./layout.ts";

export interface AuditRowView {
  id: string;
  occurredAt: string;
  action: string;
  status: string;
  username: string | null;
  via: string | null;
  clientIp: string | null;
  userAgent: string | null;
  operationId: string | null;
  operationName: string | null;
  httpMethod: string | null;
  clusterName: string | null;
  resourceType: string | null;
  resourceId: string | null;
  decision: string | null;
  reason: string | null;
  error: string | null;
  upstreamStatus: number | null;
  durationMs: number | null;
  requestId: string | null;
  callId: string | null;
  details: Record<string, unknown>;
  seq: string | null;
  prevHash: string | null;
  hash: string | null;
  kind: string;
  tokenName: string | null;
  userId: string | null;
  clusterId: string | null;
}

/** The filter as the form carries it (strings, "" = not set). */
export interface AuditFilterForm {
  since: string;
  until: string;
  user: string;
  action: string;
  operation: string;
  cluster: string;
  status: string;
  decision: string;
  q: string;
}

export const FILTER_KEYS = [
  "since",
  "until",
  "user",
  "action",
  "operation",
  "cluster",
  "status",
  "decision",
  "q",
] as const;

export function filterQuery(f: AuditFilterForm, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const k of FILTER_KEYS) if (f[k]) params.set(k, f[k]);
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : "";
}

function statusBadge(r: Pick<AuditRowView, "status" | "decision">): SafeHtml {
  const kind = r.status === "ok" ? "ok" : r.status === "pending" ? "warn" : "bad";
  return html`<span class="badge ${kind}">${r.status}</span>${r.decision && r.decision !== "allow" ? html` <span class="badge warn">${r.decision}</span>` : ""}`;
}

const time = (iso: string) => html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")}</time>`;

function select(name: string, label: string, value: string, options: readonly string[]): SafeHtml {
  return html`<label>${label} <select name="${name}"><option value="">any</option>${options.map((o) => html`<option${o === value ? html` selected` : ""}>${o}</option>`)}</select></label>`;
}

export function auditResults(
  rows: AuditRowView[],
  f: AuditFilterForm,
  nextCursor: string | null,
  first: boolean,
): SafeHtml {
  const body = rows.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Action</th><th scope="col">Status</th><th scope="col">User</th><th scope="col">Operation</th><th scope="col">Cluster</th><th scope="col">Reason or error</th></tr></thead>
<tbody>${rows.map(
        (r) => html`<tr>
<td class="mono"><a href="/audit/${r.id}">${time(r.occurredAt)}</a></td>
<td><code>${r.action}</code></td><td>${statusBadge(r)}</td>
<td>${r.username ?? "—"}${r.via ? html`<br><span class="hint">${r.via}</span>` : ""}</td>
<td>${r.operationId ? html`<code>${r.operationId}</code>` : r.resourceType ? html`<span class="hint">${r.resourceType} ${r.resourceId ?? ""}</span>` : "—"}</td>
<td>${r.clusterName ?? "—"}</td>
<td>${r.error ?? r.reason ?? ""}</td></tr>`,
      )}</tbody></table></div>`
    : html`<p class="muted">No event matches this filter.</p>`;
  return html`<div id="audit-results">
${body}
<div class="spread">
<span class="row">${first ? EMPTY : html`<a href="/audit${filterQuery(f)}">← Newest</a>`}${nextCursor ? html`<a class="button secondary" href="/audit${filterQuery(f, { cursor: nextCursor })}">Older →</a>` : ""}</span>
<span class="row">Export this filter: <a href="/audit/export${filterQuery(f, { format: "csv" })}" hx-boost="false" download>CSV</a> <a href="/audit/export${filterQuery(f, { format: "jsonl" })}" hx-boost="false" download>JSON Lines</a></span>
</div></div>`;
}

export interface AuditPageProps {
  filter: AuditFilterForm;
  rows: AuditRowView[];
  nextCursor: string | null;
  first: boolean;
  statuses: readonly string[];
  decisions: readonly string[];
  error?: string | null;
}

export function auditPage(p: AuditPageProps): SafeHtml {
  const f = p.filter;
  return html`<h1>Audit log</h1>
<p class="lead">Every call and every change, hash-chained. Filter, open an event, verify the chain, export.</p>
<section class="panel">
<form method="get" action="/audit" class="grid filters" hx-get="/audit" hx-target="#audit-results" hx-swap="outerHTML" hx-push-url="true">
<label>From (UTC) <input type="datetime-local" name="since" value="${f.since}"></label>
<label>Until (UTC) <input type="datetime-local" name="until" value="${f.until}"></label>
<label>User <input type="text" name="user" value="${f.user}"></label>
<label>Action <span class="hint">(prefix, e.g. mcp.)</span><input type="text" name="action" value="${f.action}"></label>
<label>Operation <input type="text" name="operation" value="${f.operation}" placeholder="ndfc.createVrf"></label>
<label>Cluster <input type="text" name="cluster" value="${f.cluster}"></label>
${select("status", "Status", f.status, p.statuses)}
${select("decision", "Decision", f.decision, p.decisions)}
<label>Text <input type="search" name="q" value="${f.q}" placeholder="words in any field"></label>
<div class="row"><button type="submit">Filter</button><a href="/audit">Clear</a></div>
</form></section>
${p.error ? notice("bad", p.error) : EMPTY}
<section class="panel">${auditResults(p.rows, f, p.nextCursor, p.first)}</section>
<section class="panel"><h2>Chain</h2>
<form method="post" action="/audit/verify" hx-post="/audit/verify" hx-target="#verify-result" hx-swap="innerHTML" class="row">
<button type="submit" class="secondary">Verify the chain</button><span id="verify-result" aria-live="polite"></span></form></section>`;
}

export interface VerifyView {
  ok: boolean;
  checked: number;
  firstSeq: string | null;
  lastSeq: string | null;
  checkpointSeq: string | null;
  unsealed: number;
  problem: string | null;
}

export function verifyResult(v: VerifyView): SafeHtml {
  if (!v.ok)
    return notice(
      "bad",
      html`<strong>The chain is NOT intact.</strong> ${v.problem} (${v.checked} event(s) verified before the problem.)`,
    );
  if (v.checked === 0) return notice("ok", "The chain is intact: no sealed events yet.");
  return notice(
    "ok",
    html`<strong>The chain is intact:</strong> ${v.checked} event(s) verified, sequence ${v.firstSeq} to ${v.lastSeq}${v.checkpointSeq ? html`, starting after retention checkpoint ${v.checkpointSeq}` : ""}.${v.unsealed ? html` ${v.unsealed} newer event(s) are checked next time.` : ""}`,
  );
}

function fact(label: string, value: SafeHtml | string | number | null | undefined): SafeHtml {
  return html`<dt>${label}</dt><dd>${value === null || value === undefined || value === "" ? html`<span class="muted">—</span>` : value}</dd>`;
}

export function auditDetail(r: AuditRowView, linked: AuditRowView[]): SafeHtml {
  return html`<p><a href="/audit">← Audit log</a></p>
<h1>Audit event ${r.id}</h1>
<div class="columns">
<section class="panel"><h2><code>${r.action}</code> ${statusBadge(r)}</h2>
<dl class="facts">
${fact("Time (UTC)", r.occurredAt)}${fact("Kind", r.kind)}
${fact("User", r.username)}${fact("User id", r.userId)}${fact("Via", r.via)}${fact("Token", r.tokenName)}
${fact("Client address", r.clientIp)}${fact("User agent", r.userAgent)}
${fact("Operation", r.operationId ? html`<code>${r.operationId}</code>${r.operationName ? html` — ${r.operationName}` : ""}` : null)}
${fact("HTTP method", r.httpMethod)}${fact("Cluster", r.clusterName)}${fact("Cluster id", r.clusterId)}
${fact("Resource", r.resourceType ? `${r.resourceType} ${r.resourceId ?? ""}` : null)}
${fact("Decision", r.decision)}${fact("Reason", r.reason)}${fact("Error", r.error)}
${fact("ND status", r.upstreamStatus)}${fact("Duration", r.durationMs === null ? null : `${r.durationMs} ms`)}
${fact("Request id", r.requestId)}${fact("Call id", r.callId)}
</dl>
<h2>Chain position</h2>
<dl class="facts">${fact("Sequence", r.seq ?? "not sealed yet")}${fact("Previous hash", r.prevHash ? html`<code>${r.prevHash}</code>` : null)}${fact("Hash", r.hash ? html`<code>${r.hash}</code>` : null)}</dl>
</section>
<section class="panel"><h2>Details</h2><p class="hint">Parameters and body as recorded; secrets were redacted before storing.</p>
<pre class="args-full" tabindex="0">${json(r.details)}</pre>
${
  linked.length > 1
    ? html`<h2>This call's rows</h2><p class="hint">A write records its intent before ND is called and its outcome after.</p>
<table><thead><tr><th scope="col">Event</th><th scope="col">Phase</th><th scope="col">Time</th><th scope="col">Status</th><th scope="col">ND status</th></tr></thead><tbody>
${linked.map((l) => html`<tr><td>${l.id === r.id ? html`<strong>${l.id} (this)</strong>` : html`<a href="/audit/${l.id}">${l.id}</a>`}</td><td>${typeof l.details.phase === "string" ? l.details.phase : "—"}</td><td class="mono">${time(l.occurredAt)}</td><td>${statusBadge(l)}</td><td>${l.upstreamStatus ?? "—"}</td></tr>`)}
</tbody></table>`
    : EMPTY
}
</section></div>`;
}
