/**
 * Page 7: approvals. The pending list (it polls itself, so a new request appears without a
 * reload), recent decisions, and one request's page with its exact arguments and the decision
 * form. Arguments are shown exactly as the model sent them, pretty-printed and escaped.
 */
import { EMPTY, html, json, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";
import { relative, when } from "./format.ts";

export interface OperationInfo {
  summary: string;
  method: string;
  path: string;
  risk: string;
  riskReason: string;
}

export interface ApprovalView {
  id: string;
  username: string;
  operationId: string;
  clusterName: string;
  args: unknown;
  status: string;
  requestedAt: Date;
  expiresAt: Date;
  decidedBy: string | null;
  decidedAt: Date | null;
  note: string | null;
  operation: OperationInfo | null;
  /** The viewer's own request. */
  own: boolean;
}

export interface ApprovalsPageProps {
  pending: ApprovalView[];
  decided: ApprovalView[];
  now: Date;
  ttlMinutes: number;
  allowSelfApproval: boolean;
}

const POLL_SECONDS = 5;

/** Time left as the countdown script writes it ("12 min 05 s"), so the first paint matches. */
export function left(until: Date, now: Date): string {
  const ms = Math.max(0, until.getTime() - now.getTime());
  const m = Math.floor(ms / 60000),
    s = Math.floor((ms % 60000) / 1000);
  return ms > 0 ? `${m} min ${s < 10 ? "0" : ""}${s} s` : "expired";
}

export function riskBadge(risk: string): SafeHtml {
  const kind = risk === "read" ? "ok" : risk === "sensitive-read" || risk === "write" ? "warn" : "bad";
  return html`<span class="badge ${kind}">${risk}</span>`;
}

export function statusBadge(status: string): SafeHtml {
  const kind = status === "approved" || status === "used" ? "ok" : status === "pending" ? "warn" : "bad";
  return html`<span class="badge ${kind}">${status}</span>`;
}

function operationCell(a: ApprovalView): SafeHtml {
  const op = a.operation;
  return html`<strong>${op?.summary || a.operationId}</strong><br><code>${a.operationId}</code>${op ? html`<br><span class="mono">${op.method} ${op.path}</span> ${riskBadge(op.risk)}` : html` <span class="muted">(not in the active catalog)</span>`}`;
}

/** The list that refreshes itself every few seconds (swaps only itself, never the page). */
export function pendingList(props: Pick<ApprovalsPageProps, "pending" | "now">): SafeHtml {
  const rows = props.pending.map(
    (a) => html`<tr>
<td>${a.username}${a.own ? html` <span class="badge">you</span>` : ""}</td>
<td><time datetime="${a.requestedAt.toISOString()}">${relative(a.requestedAt, props.now)}</time><br><span class="hint">${when(a.requestedAt)}</span></td>
<td>${a.clusterName}</td>
<td>${operationCell(a)}</td>
<td><pre class="args" tabindex="0">${json(a.args)}</pre></td>
<td>expires in <span data-countdown="${a.expiresAt.toISOString()}">${left(a.expiresAt, props.now)}</span><br><a class="button" href="/approvals/${a.id}">Review</a></td>
</tr>`,
  );
  return html`<div id="pending-approvals" hx-get="/approvals" hx-trigger="every ${POLL_SECONDS}s" hx-target="this" hx-swap="outerHTML" aria-live="polite">
${
  props.pending.length
    ? html`<div class="table-wrap"><table><caption class="muted">${props.pending.length} request${props.pending.length === 1 ? "" : "s"} waiting</caption>
<thead><tr><th scope="col">Requester</th><th scope="col">Requested</th><th scope="col">Cluster</th><th scope="col">Operation</th><th scope="col">Arguments</th><th scope="col">Decision</th></tr></thead>
<tbody>${rows}</tbody></table></div>`
    : html`<p class="muted">No request is waiting. This list updates itself every ${POLL_SECONDS} seconds.</p>`
}
</div>`;
}

function decidedTable(decided: ApprovalView[]): SafeHtml {
  if (!decided.length) return html`<p class="muted">No decision yet.</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Requester</th><th scope="col">Operation</th><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col">Decided by</th><th scope="col">Reason</th></tr></thead>
<tbody>${decided.map(
    (a) => html`<tr>
<td>${a.username}</td><td><a href="/approvals/${a.id}"><code>${a.operationId}</code></a></td><td>${a.clusterName}</td>
<td>${statusBadge(a.status)}</td><td>${a.decidedBy ?? "—"}${a.decidedAt ? html`<br><span class="hint">${when(a.decidedAt)}</span>` : ""}</td><td>${a.note || "—"}</td>
</tr>`,
  )}</tbody></table></div>`;
}

export function approvalsPage(props: ApprovalsPageProps): SafeHtml {
  return html`<h1>Approvals</h1>
<p class="lead">Writes that need a human's approval wait here. Approve the exact call shown, or deny it with a reason. Requests expire after ${props.ttlMinutes} min;
${props.allowSelfApproval ? "approvers may approve their own requests (set on the Security settings page)." : "nobody approves their own request (four eyes)."}</p>
<section class="panel"><h2>Waiting for a decision</h2>${pendingList(props)}</section>
<section class="panel"><h2>Recent decisions</h2>${decidedTable(props.decided)}</section>`;
}

export interface ApprovalDetailProps {
  approval: ApprovalView;
  csrf: string;
  now: Date;
  allowSelfApproval: boolean;
  message?: { kind: NoticeKind; text: string } | null;
}

function decisionForm(p: ApprovalDetailProps): SafeHtml {
  const a = p.approval;
  if (a.status !== "pending") {
    return html`<p>${statusBadge(a.status)} ${a.decidedBy ? html`by <strong>${a.decidedBy}</strong> ${when(a.decidedAt)}` : ""}${a.note ? html` — “${a.note}”` : ""}</p>
${a.status === "approved" ? html`<p class="hint">The requester may now repeat the call once, with the same arguments, until ${when(a.expiresAt)}.</p>` : EMPTY}`;
  }
  const selfBlocked = a.own && !p.allowSelfApproval;
  return html`<form method="post" action="/approvals/${a.id}/decide" class="stack">
<input type="hidden" name="csrf" value="${p.csrf}">
<label>Reason <span class="hint">(kept in the audit log; required to deny)</span>
<textarea name="reason" rows="2" maxlength="500"></textarea></label>
${selfBlocked ? notice("warn", "This is your own request. Another approver must approve it (four eyes); you may deny it.") : EMPTY}
<div class="row">
<button type="submit" name="decision" value="approve"${selfBlocked ? html` disabled` : ""}>Approve this call</button>
<button type="submit" name="decision" value="deny" class="danger">Deny</button>
</div>
</form>`;
}

export function approvalDetail(p: ApprovalDetailProps): SafeHtml {
  const a = p.approval;
  const op = a.operation;
  return html`<p><a href="/approvals">← All approvals</a></p>
<h1>Approval request</h1>
${p.message ? notice(p.message.kind, p.message.text) : EMPTY}
<div class="columns">
<section class="panel" id="approval-${a.id}"><h2>${op?.summary || a.operationId}</h2>
<dl class="facts">
<dt>Status</dt><dd>${statusBadge(a.status)}${a.status === "pending" ? html` — expires in <span data-countdown="${a.expiresAt.toISOString()}">${left(a.expiresAt, p.now)}</span>` : ""}</dd>
<dt>Requester</dt><dd>${a.username}${a.own ? " (you)" : ""}</dd>
<dt>Requested</dt><dd>${when(a.requestedAt)} (${relative(a.requestedAt, p.now)})</dd>
<dt>Cluster</dt><dd>${a.clusterName}</dd>
<dt>Operation</dt><dd><code>${a.operationId}</code></dd>
${
  op
    ? html`<dt>Method and path</dt><dd class="mono">${op.method} ${op.path}</dd>
<dt>Risk</dt><dd>${riskBadge(op.risk)} <span class="hint">${op.riskReason}</span></dd>`
    : html`<dt>Catalog</dt><dd class="muted">This operation is not in the active catalog.</dd>`
}
<dt>Request id</dt><dd class="mono">${a.id}</dd>
</dl>
<h2>Decision</h2>
${decisionForm(p)}
</section>
<section class="panel"><h2>Exact arguments</h2>
<p class="hint">Approving allows exactly these arguments, once, for this requester on this cluster.</p>
<pre class="args-full" tabindex="0">${json(a.args)}</pre></section>
</div>`;
}
