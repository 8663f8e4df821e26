/**
 * API tokens (page 5): my tokens (create, narrow, revoke, last use) and, for administrators,
 * every token with its owner. The token form and the shown-once box are shared with Connect.
 */
import type { ApiTokenRow, TokenStatus } from "../app/identity/api-tokens.ts";
import { relative, when } from "./format.ts";
import { html, join, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";

export interface ClusterChoice {
  id: string;
  name: string;
}

export interface TokenFormProps {
  csrf: string;
  action: string;
  clusters: ClusterChoice[];
  /** What the user typed, kept after an error. */
  values?: { name?: string; expiry?: string; readOnly?: boolean; clusters?: string[] };
  error?: string | null;
  submitLabel?: string;
}

export const EXPIRY_CHOICES: { value: string; label: string; days: number | null }[] = [
  { value: "7", label: "7 days", days: 7 },
  { value: "30", label: "30 days", days: 30 },
  { value: "90", label: "90 days", days: 90 },
  { value: "365", label: "1 year", days: 365 },
  { value: "never", label: "Never (not recommended)", days: null },
];

function clusterBoxes(name: string, clusters: ClusterChoice[], checked: string[], idPrefix: string): SafeHtml {
  if (clusters.length === 0) return html`<p class="hint">No cluster is registered or assigned to you yet.</p>`;
  return join(
    clusters.map(
      (c, i) =>
        html`<label class="check" for="${idPrefix}-${i}"><input type="checkbox" id="${idPrefix}-${i}" name="${name}" value="${c.id}"${checked.includes(c.id) ? html` checked` : ""}>${c.name}</label>`,
    ),
  );
}

export function tokenForm(p: TokenFormProps): SafeHtml {
  const v = p.values ?? {};
  const expiry = v.expiry ?? "90";
  return html`<form class="stack" method="post" action="${p.action}">
<input type="hidden" name="csrf" value="${p.csrf}">
${p.error ? notice("bad", p.error) : ""}
<label>Token name <span class="hint">where it is used, e.g. “laptop Claude Desktop”</span><input type="text" name="name" required maxlength="64" value="${v.name ?? ""}"></label>
<label>Expires after<select name="expiry">${join(EXPIRY_CHOICES.map((c) => html`<option value="${c.value}"${c.value === expiry ? html` selected` : ""}>${c.label}</option>`))}</select></label>
<label class="check"><input type="checkbox" name="readOnly" value="1"${v.readOnly ? html` checked` : ""}>Read-only <span class="hint">the assistant can read but never change anything, whatever your roles allow</span></label>
<fieldset><legend>Clusters</legend><p class="hint">None ticked: every cluster you may use.</p>${clusterBoxes("clusters", p.clusters, v.clusters ?? [], `${p.action.replace(/\W/g, "")}-c`)}</fieldset>
<div><button type="submit">${p.submitLabel ?? "Create token"}</button></div>
</form>`;
}

export interface CreatedToken {
  token: string;
  name: string;
  expiresAt: Date | null;
  readOnly: boolean;
}

/** The token, shown exactly once, with a copy button. */
export function shownOnce(t: CreatedToken): SafeHtml {
  return html`<div class="notice warn" role="status"><strong>Copy the token now.</strong> It is shown only this once; the gateway keeps only its hash. If you lose it, revoke it and create another.</div>
<div class="copyable"><code class="secret" id="new-token">${t.token}</code><button type="button" class="secondary" data-copy="new-token">Copy token</button></div>
<p class="hint">“${t.name}” · ${t.readOnly ? "read-only" : "read-write"} · ${t.expiresAt ? html`expires ${when(t.expiresAt)}` : "never expires"}</p>`;
}

function statusBadge(s: TokenStatus): SafeHtml {
  return html`<span class="badge ${s === "active" ? "ok" : s === "expired" ? "warn" : "bad"}">${s}</span>`;
}

export interface TokenRowView extends ApiTokenRow {
  status: TokenStatus;
  clusterNames: string[] | null;
}

function clustersCell(t: TokenRowView): SafeHtml {
  return t.clusterNames ? html`${t.clusterNames.join(", ")}` : html`<span class="muted">all of the owner’s</span>`;
}

function narrowForm(t: TokenRowView, csrf: string, clusters: ClusterChoice[]): SafeHtml {
  const allowed = t.clusters ? clusters.filter((c) => t.clusters!.includes(c.id)) : clusters;
  return html`<details class="inline-details"><summary>Narrow</summary>
<form class="stack" method="post" action="/tokens/${t.id}/narrow">
<input type="hidden" name="csrf" value="${csrf}">
<label class="check"><input type="checkbox" name="readOnly" value="1"${t.readOnly ? html` checked disabled` : ""}>Read-only</label>
<fieldset><legend>Keep only these clusters</legend>${clusterBoxes("clusters", allowed, t.clusters ?? [], `n-${t.id}`)}</fieldset>
<div><button type="submit" class="secondary">Narrow “${t.name}”</button></div>
</form></details>`;
}

function revokeForm(t: TokenRowView, csrf: string): SafeHtml {
  return html`<form class="inline" method="post" action="/tokens/${t.id}/revoke" hx-confirm="Revoke the token “${t.name}”? Assistants using it stop working at once.">
<input type="hidden" name="csrf" value="${csrf}"><button type="submit" class="danger small">Revoke<span class="visually-hidden"> ${t.name}</span></button></form>`;
}

export function tokenTable(
  rows: TokenRowView[],
  opts: { csrf: string; now: Date; owner: boolean; clusters: ClusterChoice[]; narrow: boolean; caption: string },
): SafeHtml {
  if (rows.length === 0) return html`<p class="muted">No tokens yet.</p>`;
  return html`<div class="table-wrap"><table>
<caption class="visually-hidden">${opts.caption}</caption>
<thead><tr><th scope="col">Name</th>${opts.owner ? html`<th scope="col">Owner</th>` : ""}<th scope="col">Status</th><th scope="col">Access</th><th scope="col">Clusters</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
<tbody>${join(
    rows.map(
      (t) => html`<tr>
<td>${t.name}<div class="hint">created ${when(t.createdAt)}</div></td>
${opts.owner ? html`<td>${t.username}</td>` : ""}
<td>${statusBadge(t.status)}</td>
<td>${t.readOnly ? "read-only" : "read-write"}</td>
<td>${clustersCell(t)}</td>
<td>${t.expiresAt ? html`${when(t.expiresAt)}<div class="hint">${relative(t.expiresAt, opts.now)}</div>` : html`<span class="badge warn">never</span>`}</td>
<td>${t.lastUsedAt ? html`${relative(t.lastUsedAt, opts.now)}<div class="hint mono">${t.lastUsedIp ?? ""}</div>` : html`<span class="muted">never</span>`}</td>
<td class="actions">${t.status === "active" ? html`${opts.narrow ? narrowForm(t, opts.csrf, opts.clusters) : ""}${revokeForm(t, opts.csrf)}` : t.revokedReason ? html`<span class="hint">${t.revokedReason}</span>` : ""}</td>
</tr>`,
    ),
  )}</tbody></table></div>`;
}

export interface TokensPageProps {
  csrf: string;
  now: Date;
  mine: TokenRowView[];
  /** Everybody's tokens (administrators), or null. */
  all: TokenRowView[] | null;
  clusters: ClusterChoice[];
  created?: CreatedToken | null;
  form?: Partial<TokenFormProps>;
  message?: { kind: NoticeKind; text: string } | null;
  showInactive: boolean;
}

export function tokensPage(p: TokensPageProps): SafeHtml {
  const mine = p.showInactive ? p.mine : p.mine.filter((t) => t.status === "active");
  const hidden = p.mine.length - mine.length;
  return html`<h1>API tokens</h1>
<p class="lead">Tokens let an assistant (Claude Desktop, Claude Code, VS Code, Cursor) act as you. A token can only narrow what you may do: read-only, or fewer clusters.</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
${p.created ? html`<section class="panel" aria-labelledby="created-h"><h2 id="created-h">New token “${p.created.name}”</h2>${shownOnce(p.created)}<p><a href="/connect">Get the ready configuration for your assistant</a></p></section>` : ""}
<section class="panel" aria-labelledby="mine-h"><div class="spread"><h2 id="mine-h">My tokens</h2>${hidden > 0 ? html`<a href="/tokens?all=1">Show ${hidden} expired or revoked</a>` : p.showInactive ? html`<a href="/tokens">Hide expired and revoked</a>` : ""}</div>
${tokenTable(mine, { csrf: p.csrf, now: p.now, owner: false, clusters: p.clusters, narrow: true, caption: "My tokens" })}</section>
<section class="panel" aria-labelledby="create-h"><h2 id="create-h">Create a token</h2>${tokenForm({ csrf: p.csrf, action: "/tokens", clusters: p.clusters, ...p.form })}</section>
${
  p.all
    ? html`<section class="panel" aria-labelledby="all-h"><h2 id="all-h">All tokens</h2><p class="hint">Every user’s tokens, as an administrator sees them. Revoking one stops its assistant at once.</p>
${tokenTable(p.showInactive ? p.all : p.all.filter((t) => t.status === "active"), { csrf: p.csrf, now: p.now, owner: true, clusters: p.clusters, narrow: false, caption: "All tokens" })}</section>`
    : ""
}`;
}
