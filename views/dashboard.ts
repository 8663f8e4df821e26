/**
 * The dashboard (page 1): clusters' health from their last connection test, edit mode with the
 * time it turns itself off, pending approvals, MCP calls of the last 24 h by outcome (SVG) and
 * the top operations, the last 20 audit events, tokens expiring within 7 days, the certificate.
 * Each part shows only when the user may see it (ops/overview.ts decides).
 */
import type { Overview } from "../app/ops/overview.ts";
import { callsChart, last24Hours } from "./chart.ts";
import { relative, when } from "./format.ts";
import { html, join, type SafeHtml } from "./html.ts";

export interface DashboardProps {
  username: string;
  roles: string[];
  overview: Overview;
  certificate: { notAfter: string; fingerprint256: string };
  canConnect: boolean;
}

function editModeCard(o: Overview): SafeHtml {
  return html`<section class="panel stat-card" aria-labelledby="edit-h"><h2 id="edit-h">Edit mode</h2>
${
  o.editMode.on
    ? html`<p class="stat"><span class="badge bad big">ON</span></p><p>${o.editMode.expiresAt ? html`Turns itself off in <strong data-countdown="${o.editMode.expiresAt.toISOString()}">${relative(o.editMode.expiresAt, o.now)}</strong> (${when(o.editMode.expiresAt)})` : html`<strong>No end time set.</strong>`}</p>`
    : html`<p class="stat"><span class="badge ok big">OFF</span></p><p class="muted">Writes through MCP are refused.</p>`
}
</section>`;
}

function approvalsCard(o: Overview): SafeHtml {
  if (o.pendingApprovals === null) return html``;
  const n = o.pendingApprovals;
  return html`<section class="panel stat-card" aria-labelledby="appr-h"><h2 id="appr-h">Pending approvals</h2>
<p class="stat">${n}</p><p>${n ? html`<a href="/approvals">Review ${n === 1 ? "the request" : `${n} requests`}</a>` : html`<span class="muted">Nothing waits for a decision.</span>`}</p></section>`;
}

function callsCard(o: Overview): SafeHtml {
  if (!o.calls) return html``;
  const total = o.calls.hours.reduce((a, h) => a + h.n, 0);
  const bad = o.calls.hours.filter((h) => h.status !== "ok").reduce((a, h) => a + h.n, 0);
  return html`<section class="panel stat-card" aria-labelledby="calls-h"><h2 id="calls-h">MCP calls, 24 h</h2>
<p class="stat">${total}</p><p class="${bad ? "" : "muted"}">${bad ? html`${bad} refused or failed · <a href="/audit?action=mcp.call">audit</a>` : "none refused or failed"}</p></section>`;
}

function certificateCard(c: DashboardProps["certificate"], now: Date): SafeHtml {
  const end = c.notAfter ? new Date(c.notAfter) : null;
  const days = end ? Math.floor((end.getTime() - now.getTime()) / 86_400_000) : null;
  const kind = days === null ? "" : days < 14 ? "bad" : days < 45 ? "warn" : "ok";
  return html`<section class="panel stat-card" aria-labelledby="cert-h"><h2 id="cert-h">Certificate</h2>
<p class="stat">${days === null ? "—" : html`<span class="badge ${kind} big">${days} days</span>`}</p><p class="muted">valid until ${when(end)}</p></section>`;
}

function clustersPanel(o: Overview): SafeHtml {
  if (!o.clusters) return html``;
  const status = (c: NonNullable<Overview["clusters"]>[number]) =>
    c.ok === null
      ? html`<span class="badge">not tested</span>`
      : c.ok
        ? html`<span class="badge ok">reachable</span>`
        : html`<span class="badge bad">failing</span>`;
  return html`<section class="panel" aria-labelledby="clusters-h"><div class="spread"><h2 id="clusters-h">Clusters</h2><a href="/clusters">Manage clusters</a></div>
${
  o.clusters.length === 0
    ? html`<p class="muted">No cluster is registered${o.clusters === null ? "" : " or assigned to you"} yet.</p>`
    : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Clusters and their last connection test</caption>
<thead><tr><th scope="col">Cluster</th><th scope="col">Status</th><th scope="col">ND version</th><th scope="col" class="num">Latency</th><th scope="col">Last test</th></tr></thead>
<tbody>${join(
        o.clusters.map(
          (c) => html`<tr>
<td>${c.name}${c.insecure ? html` <span class="badge warn">TLS not verified</span>` : ""}<div class="hint mono">${c.baseUrl}</div></td>
<td>${status(c)}${c.error ? html`<div class="hint">${c.error}</div>` : ""}</td>
<td>${c.version ?? html`<span class="muted">—</span>`}</td>
<td class="num">${c.latencyMs !== null ? `${c.latencyMs} ms` : "—"}</td>
<td>${c.testedAt ? relative(c.testedAt, o.now) : html`<span class="muted">never</span>`}</td>
</tr>`,
        ),
      )}</tbody></table></div>`
}</section>`;
}

function callsPanel(o: Overview): SafeHtml {
  if (!o.calls) return html``;
  return html`<div class="columns chart-left">
<section class="panel" aria-labelledby="chart-h"><h2 id="chart-h">Calls per hour, last 24 h</h2>${callsChart(last24Hours(o.calls.hours, o.now))}</section>
<section class="panel" aria-labelledby="top-h"><h2 id="top-h">Top operations, 24 h</h2>
${
  o.calls.top.length === 0
    ? html`<p class="muted">No calls in the last 24 hours.</p>`
    : html`<div class="table-wrap"><table>
<caption class="visually-hidden">Most called operations in the last 24 hours</caption>
<thead><tr><th scope="col">Operation</th><th scope="col" class="num">Calls</th><th scope="col" class="num">Refused</th><th scope="col" class="num">Failed</th></tr></thead>
<tbody>${join(o.calls.top.map((t) => html`<tr><td class="mono wrap">${t.operation}</td><td class="num">${t.calls}</td><td class="num">${t.refused || ""}</td><td class="num">${t.failed || ""}</td></tr>`))}</tbody></table></div>`
}
</section></div>`;
}

function statusBadge(status: string): SafeHtml {
  const kind = status === "ok" ? "ok" : status === "denied" ? "warn" : status === "failed" ? "bad" : "";
  return html`<span class="badge ${kind}">${status}</span>`;
}

function recentPanel(o: Overview): SafeHtml {
  if (!o.recent) return html``;
  return html`<section class="panel" aria-labelledby="recent-h"><div class="spread"><h2 id="recent-h">Last ${o.recent.length} audit events</h2><a href="/audit">Open the audit log</a></div>
<div class="table-wrap"><table>
<caption class="visually-hidden">The most recent audit events</caption>
<thead><tr><th scope="col">Time</th><th scope="col">User</th><th scope="col">Action</th><th scope="col">Operation / target</th><th scope="col">Status</th></tr></thead>
<tbody>${join(
    o.recent.map(
      (e) => html`<tr>
<td class="time">${when(e.occurredAt)}</td>
<td>${e.username ?? html`<span class="muted">—</span>`}${e.tokenName ? html`<div class="hint">token ${e.tokenName}</div>` : ""}</td>
<td class="mono">${e.action}</td>
<td>${e.operationId ? html`<span class="mono">${e.operationId}</span>` : e.resourceType ? html`${e.resourceType}` : ""}${e.clusterName ? html`<div class="hint">on ${e.clusterName}</div>` : ""}${e.reason ? html`<div class="hint">${e.reason}</div>` : ""}</td>
<td>${statusBadge(e.status)}</td>
</tr>`,
    ),
  )}</tbody></table></div></section>`;
}

function tokensPanel(o: Overview): SafeHtml {
  if (!o.expiringTokens) return html``;
  return html`<section class="panel" aria-labelledby="exp-h"><div class="spread"><h2 id="exp-h">Tokens expiring within 7 days</h2><a href="/tokens">API tokens</a></div>
${
  o.expiringTokens.length === 0
    ? html`<p class="muted">None${o.tokensOfEveryone ? "" : " of yours"}.</p>`
    : html`<div class="table-wrap"><table>
<caption class="visually-hidden">API tokens that expire within 7 days</caption>
<thead><tr><th scope="col">Token</th><th scope="col">Owner</th><th scope="col">Expires</th><th scope="col">Last used</th></tr></thead>
<tbody>${join(o.expiringTokens.map((t) => html`<tr><td>${t.name}</td><td>${t.username}</td><td>${when(t.expiresAt)} <span class="hint">${relative(t.expiresAt, o.now)}</span></td><td>${t.lastUsedAt ? relative(t.lastUsedAt, o.now) : html`<span class="muted">never</span>`}</td></tr>`))}</tbody></table></div>`
}</section>`;
}

export function dashboardPage(p: DashboardProps): SafeHtml {
  const o = p.overview;
  return html`<h1>Dashboard</h1>
<p class="lead">Welcome, ${p.username}${p.roles.length ? html` <span class="muted">(${p.roles.join(", ")})</span>` : ""}.${p.canConnect ? html` New here? <a href="/connect">Connect an assistant</a> in three steps.` : ""}</p>
<div class="grid stats">${editModeCard(o)}${approvalsCard(o)}${callsCard(o)}${certificateCard(p.certificate, o.now)}</div>
${clustersPanel(o)}
${callsPanel(o)}
${tokensPanel(o)}
${recentPanel(o)}`;
}
