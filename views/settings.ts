/**
 * Page 6: security settings — edit mode with its countdown, the operation whitelist (added by
 * searching the catalog), argument constraints, approval rules and approval settings, tool
 * profiles and what each role's tools/list costs in a model's context.
 */
import { EMPTY, html, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";
import { when } from "./format.ts";
import { left, riskBadge } from "./approvals.ts";

export interface OperationHit {
  id: string;
  summary: string;
  method: string;
  path: string;
  risk: string;
}

export interface SettingsProps {
  csrf: string;
  now: Date;
  message?: { kind: NoticeKind; text: string } | null;
  editMode: { active: boolean; expiresAt: Date | null; expired: boolean };
  defaultMinutes: number;
  whitelist: { operationId: string; addedBy: string | null; addedAt: Date; op: OperationHit | null }[];
  constraints: { id: string; operationPattern: string; param: string; allowed: string[]; appliesTo: "write" | "all" }[];
  approvalRules: string[];
  approvalSettings: { ttlMinutes: number; allowSelfApproval: boolean };
  profiles: { name: string; mode: string; operations: string[]; tokenBudget: number; description: string }[];
  roles: { name: string; profile: string; tools: number; tokens: number; writes: boolean }[];
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

/** Edit-mode state; refreshes itself so the page notices when edit mode turns itself off. */
export function editModeStatus(e: SettingsProps["editMode"], now: Date): SafeHtml {
  const body = e.active
    ? html`<p class="stat"><span class="badge warn">ON</span> writes allowed</p>
${e.expiresAt ? html`<p>Turns itself off in <strong data-countdown="${e.expiresAt.toISOString()}">${left(e.expiresAt, now)}</strong> <span class="hint">(${when(e.expiresAt)})</span></p>` : html`<p class="notice warn">No expiry: edit mode stays on until someone turns it off.</p>`}`
    : html`<p class="stat"><span class="badge ok">OFF</span> read-only</p><p class="hint">${e.expired ? "Edit mode expired by itself." : "Every write is refused until edit mode is turned on."}</p>`;
  return html`<div id="edit-mode-status" hx-get="/settings/edit-mode" hx-trigger="every 15s" hx-target="this" hx-swap="outerHTML" aria-live="polite">${body}</div>`;
}

function editModePanel(p: SettingsProps): SafeHtml {
  return html`<section class="panel" id="edit-mode"><h2>Edit mode</h2>
${editModeStatus(p.editMode, p.now)}
<div class="row">
<form method="post" action="/settings/edit-mode" class="row">${csrfField(p.csrf)}<input type="hidden" name="state" value="on">
<label>Turn on for <span class="row"><input type="number" name="minutes" min="1" max="1440" value="${p.defaultMinutes}" required> minutes</span></label>
<button type="submit">${p.editMode.active ? "Extend edit mode" : "Turn edit mode on"}</button></form>
${p.editMode.active ? html`<form method="post" action="/settings/edit-mode">${csrfField(p.csrf)}<input type="hidden" name="state" value="off"><button type="submit" class="danger">Turn off now</button></form>` : EMPTY}
</div></section>`;
}

export function operationResults(
  q: string,
  hits: OperationHit[],
  csrf: string,
  whitelisted: ReadonlySet<string>,
): SafeHtml {
  if (!q)
    return html`<div id="op-results"><p class="hint">Type a few words (e.g. “create vrf”) to find operations.</p></div>`;
  if (!hits.length) return html`<div id="op-results"><p class="muted">No operation matches “${q}”.</p></div>`;
  return html`<div id="op-results" class="table-wrap"><table>
<thead><tr><th scope="col">Operation</th><th scope="col">Risk</th><th scope="col">Method and path</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead>
<tbody>${hits.map(
    (
      h,
    ) => html`<tr><td><strong>${h.summary}</strong><br><code>${h.id}</code></td><td>${riskBadge(h.risk)}</td><td class="mono">${h.method} ${h.path}</td>
<td>${whitelisted.has(h.id) ? html`<span class="badge ok">whitelisted</span>` : html`<form method="post" action="/settings/whitelist/add">${csrfField(csrf)}<input type="hidden" name="operation" value="${h.id}"><button type="submit" aria-label="Whitelist ${h.id}">Whitelist</button></form>`}</td></tr>`,
  )}
</tbody></table></div>`;
}

function whitelistPanel(p: SettingsProps): SafeHtml {
  return html`<section class="panel" id="whitelist"><h2>Operation whitelist</h2>
<p class="hint">When the whitelist is not empty, only these operations may write (in edit mode); sensitive reads always need an entry here.</p>
${
  p.whitelist.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Operation</th><th scope="col">Risk</th><th scope="col">Method and path</th><th scope="col">Added</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody>
${p.whitelist.map(
  (
    w,
  ) => html`<tr><td>${w.op ? html`<strong>${w.op.summary}</strong><br>` : ""}<code>${w.operationId}</code></td><td>${w.op ? riskBadge(w.op.risk) : html`<span class="muted">not in catalog</span>`}</td>
<td class="mono">${w.op ? `${w.op.method} ${w.op.path}` : "—"}</td><td>${w.addedBy ?? "—"}<br><span class="hint">${when(w.addedAt)}</span></td>
<td><form method="post" action="/settings/whitelist/remove">${csrfField(p.csrf)}<input type="hidden" name="operation" value="${w.operationId}"><button type="submit" class="secondary" aria-label="Remove ${w.operationId} from the whitelist">Remove</button></form></td></tr>`,
)}
</tbody></table></div>`
    : html`<p class="muted">The whitelist is empty: in edit mode every write is allowed; sensitive reads are refused.</p>`
}
<h3>Add an operation</h3>
<form method="get" action="/settings/operations" class="row" role="search" hx-get="/settings/operations" hx-target="#op-results" hx-swap="outerHTML" hx-push-url="false">
<label>Search the catalog <input type="search" name="q" placeholder="create vrf" hx-get="/settings/operations" hx-trigger="input changed delay:300ms" hx-target="#op-results" hx-swap="outerHTML" hx-push-url="false"></label>
<button type="submit" class="secondary">Search</button></form>
${operationResults("", [], p.csrf, new Set())}
</section>`;
}

function constraintsPanel(p: SettingsProps): SafeHtml {
  return html`<section class="panel" id="constraints"><h2>Argument constraints</h2>
<p class="hint">A parameter of matching operations may only take the listed values (e.g. fabric ∈ {lab-1, lab-2}).</p>
${
  p.constraints.length
    ? html`<table><thead><tr><th scope="col">Operations</th><th scope="col">Parameter</th><th scope="col">Allowed values</th><th scope="col">Applies to</th><th scope="col"><span class="sr-only">Action</span></th></tr></thead><tbody>
${p.constraints.map(
  (
    c,
  ) => html`<tr><td><code>${c.operationPattern}</code></td><td><code>${c.param}</code></td><td>${c.allowed.join(", ")}</td><td>${c.appliesTo === "all" ? "every call" : "writes"}</td>
<td><form method="post" action="/settings/constraints/remove">${csrfField(p.csrf)}<input type="hidden" name="id" value="${c.id}"><button type="submit" class="secondary" aria-label="Remove constraint ${c.id}">Remove</button></form></td></tr>`,
)}
</tbody></table>`
    : html`<p class="muted">No constraint.</p>`
}
<form method="post" action="/settings/constraints/add" class="grid">${csrfField(p.csrf)}
<label>Operation id or pattern <input type="text" name="operation" placeholder="ndfc.*Vrf*" required></label>
<label>Parameter <input type="text" name="param" placeholder="fabric" required></label>
<label>Allowed values <span class="hint">(comma-separated)</span><input type="text" name="allowed" placeholder="lab-1, lab-2" required></label>
<label>Applies to <select name="applies"><option value="write">writes</option><option value="all">every call (reads too)</option></select></label>
<div><button type="submit">Add constraint</button></div></form>
</section>`;
}

function approvalPanel(p: SettingsProps): SafeHtml {
  return html`<section class="panel" id="approval-rules"><h2>Approval rules</h2>
<p class="hint">Calls of matching operations wait for a human's approval on the Approvals page.</p>
${
  p.approvalRules.length
    ? html`<ul class="plain">${p.approvalRules.map(
        (r) => html`<li class="row"><code>${r}</code>
<form method="post" action="/settings/approval-rules/remove">${csrfField(p.csrf)}<input type="hidden" name="pattern" value="${r}"><button type="submit" class="secondary" aria-label="Remove approval rule ${r}">Remove</button></form></li>`,
      )}</ul>`
    : html`<p class="muted">No rule: no call needs an approval.</p>`
}
<form method="post" action="/settings/approval-rules/add" class="row">${csrfField(p.csrf)}
<label>Operation id or pattern <input type="text" name="pattern" placeholder="ndfc.deploy*" required></label><button type="submit">Add rule</button></form>
<h3>Requests</h3>
<form method="post" action="/settings/approvals" class="row">${csrfField(p.csrf)}
<label>Expire after <span class="row"><input type="number" name="ttl" min="1" max="10080" value="${p.approvalSettings.ttlMinutes}" required> minutes</span></label>
<label class="check"><input type="checkbox" name="self" value="1"${p.approvalSettings.allowSelfApproval ? html` checked` : ""}> Approvers may approve their own requests (turns off four eyes)</label>
<button type="submit">Save</button></form>
</section>`;
}

function profilesPanel(p: SettingsProps): SafeHtml {
  return html`<section class="panel" id="profiles"><h2>Tool profiles</h2>
<p class="hint">What an assistant sees in tools/list. “meta” = curated tools plus search, describe and call; “operations” = the listed operations as tools, held to the token budget.</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Role</th><th scope="col">Profile</th><th scope="col" class="num">Tools</th><th scope="col" class="num">tools/list ≈ tokens</th></tr></thead><tbody>
${p.roles.map((r) => html`<tr><td>${r.name}</td><td><code>${r.profile}</code>${r.writes ? "" : html` <span class="hint">(read-only)</span>`}</td><td class="num">${r.tools}</td><td class="num">${r.tokens}</td></tr>`)}
</tbody></table></div>
<h3>Profiles</h3>
<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">Mode</th><th scope="col">Operations</th><th scope="col" class="num">Budget</th></tr></thead><tbody>
${p.profiles.map((f) => html`<tr><td><code>${f.name}</code><br><span class="hint">${f.description}</span></td><td>${f.mode}</td><td>${f.operations.length ? f.operations.join(", ") : html`<span class="muted">all</span>`}</td><td class="num">${f.tokenBudget}</td></tr>`)}
</tbody></table></div>
<form method="post" action="/settings/profiles" class="grid">${csrfField(p.csrf)}
<label>Name <input type="text" name="name" placeholder="fabric-readers" required></label>
<label>Mode <select name="mode"><option value="meta">meta</option><option value="operations">operations</option></select></label>
<label>Operations <span class="hint">(ids or patterns, comma-separated)</span><input type="text" name="operations" placeholder="manage.listFabrics, ndfc.get*"></label>
<label>Token budget <input type="number" name="budget" min="200" max="200000" value="2000"></label>
<label>Description <input type="text" name="description"></label>
<div><button type="submit">Save profile</button></div></form>
</section>`;
}

export function settingsPage(p: SettingsProps): SafeHtml {
  return html`<h1>Security settings</h1>
<p class="lead">Every change applies to the next call on every node and is written to the audit log.</p>
${p.message ? notice(p.message.kind, p.message.text) : EMPTY}
${editModePanel(p)}
${whitelistPanel(p)}
${approvalPanel(p)}
${constraintsPanel(p)}
${profilesPanel(p)}`;
}
