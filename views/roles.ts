/**
 * Roles (page 4, second half): every role with its permission set and holders, custom roles
 * built from the closed permission list. Permissions the signed-in user lacks cannot be ticked
 * (the domain refuses them anyway: no escalation through roles).
 */
import { PERMISSIONS, type Permission } from "../app/identity/permissions.ts";
import type { Role } from "../app/identity/roles.ts";
import { html, join, type SafeHtml } from "./html.ts";
import { notice } from "./layout.ts";
import type { Message } from "./users.ts";

/** What each permission lets its holder do, in the words of the people granting it. */
export const PERMISSION_TEXT: Record<Permission, string> = {
  "users:manage": "create, disable and change users, reset passwords",
  "roles:manage": "create and change roles",
  "clusters:manage": "add, change and remove ND clusters and their credentials",
  "clusters:use": "see the clusters one has access to",
  "settings:manage": "edit mode, whitelist, approval rules, certificates, keys",
  "audit:read": "read the audit log",
  "audit:export": "export the audit log",
  "tokens:own": "create and revoke one's own API tokens",
  "tokens:manage": "see and revoke everybody's API tokens",
  "mcp:read": "read-only MCP operations",
  "mcp:write": "MCP operations that change the network (with edit mode and whitelist)",
  "mcp:sensitive": "sensitive reads: credential stores, backups, tech-support bundles",
  "approvals:decide": "approve or deny other people's write requests",
  "metrics:read": "read the Prometheus metrics at /metrics (for a monitoring system's token)",
};

function permissionBoxes(held: ReadonlySet<string>, checked: readonly string[], prefix: string): SafeHtml {
  return html`<fieldset><legend>Permissions</legend><div class="perm-grid">${join(
    PERMISSIONS.map((perm, i) => {
      const mine = held.has(perm);
      return html`<label class="check" for="${prefix}-${i}"><input type="checkbox" id="${prefix}-${i}" name="permissions" value="${perm}"${checked.includes(perm) ? html` checked` : ""}${mine ? "" : html` disabled`}><span><code>${perm}</code> <span class="hint">${PERMISSION_TEXT[perm]}${mine ? "" : " — you do not hold it"}</span></span></label>`;
    }),
  )}</div></fieldset>`;
}

export interface RolesPageProps {
  csrf: string;
  roles: Role[];
  held: ReadonlySet<string>;
  message?: Message;
  form?: { values?: { name?: string; description?: string; permissions?: string[] }; error?: string | null };
}

function matrix(roles: Role[]): SafeHtml {
  return html`<div class="table-wrap"><table class="matrix">
<caption class="visually-hidden">Permissions of each role</caption>
<thead><tr><th scope="col">Permission</th>${join(roles.map((r) => html`<th scope="col" class="num"><a href="/roles/${encodeURIComponent(r.name)}">${r.name}</a></th>`))}</tr></thead>
<tbody>${join(PERMISSIONS.map((perm) => html`<tr><th scope="row"><code>${perm}</code><div class="hint">${PERMISSION_TEXT[perm]}</div></th>${join(roles.map((r) => html`<td class="num">${r.permissions.includes(perm) ? html`<span class="yes" aria-label="yes">✓</span>` : html`<span class="muted" aria-label="no">–</span>`}</td>`))}</tr>`))}</tbody>
<tfoot><tr><th scope="row">Holders</th>${join(roles.map((r) => html`<td class="num">${r.holders}</td>`))}</tr></tfoot>
</table></div>`;
}

export function rolesPage(p: RolesPageProps): SafeHtml {
  const v = p.form?.values ?? {};
  return html`<h1>Roles</h1>
<p class="lead">A role is a named set of permissions from a fixed list. <strong>admin</strong>, <strong>operator</strong> and <strong>viewer</strong> are built in; custom roles can be created, changed and deleted.</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
<section class="panel" aria-labelledby="matrix-h"><h2 id="matrix-h">Permissions by role</h2>${matrix(p.roles)}</section>
<section class="panel" aria-labelledby="new-role-h"><h2 id="new-role-h">Create a custom role</h2>
<form class="stack wide" method="post" action="/roles">
<input type="hidden" name="csrf" value="${p.csrf}">
${p.form?.error ? notice("bad", p.form.error) : ""}
<label>Name <span class="hint">lower-case letters, digits, _ or -</span><input type="text" name="name" required maxlength="32" value="${v.name ?? ""}"></label>
<label>Description<input type="text" name="description" maxlength="256" value="${v.description ?? ""}"></label>
${permissionBoxes(p.held, v.permissions ?? [], "new-perm")}
<div><button type="submit">Create role</button></div>
</form></section>`;
}

export interface RolePageProps {
  csrf: string;
  role: Role;
  held: ReadonlySet<string>;
  message?: Message;
}

export function rolePage(p: RolePageProps): SafeHtml {
  const r = p.role;
  const base = `/roles/${encodeURIComponent(r.name)}`;
  return html`<p><a href="/roles">← Roles</a></p>
<h1>Role ${r.name} ${r.system ? html`<span class="badge">built in</span>` : ""}</h1>
<p class="lead">${r.description || "No description."} · ${r.holders} holder${r.holders === 1 ? "" : "s"}${r.toolProfile ? html` · tool profile <code>${r.toolProfile}</code>` : ""}</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
${
  r.system
    ? html`<section class="panel"><h2>Permissions</h2><ul>${join(r.permissions.map((perm) => html`<li><code>${perm}</code> <span class="hint">${PERMISSION_TEXT[perm]}</span></li>`))}</ul><p class="hint">The permissions of a built-in role are fixed.</p></section>`
    : html`<section class="panel" aria-labelledby="edit-h"><h2 id="edit-h">Change</h2>
<form class="stack wide" method="post" action="${base}">
<input type="hidden" name="csrf" value="${p.csrf}">
<label>Description<input type="text" name="description" maxlength="256" value="${r.description}"></label>
${permissionBoxes(p.held, r.permissions, "perm")}
<p class="hint">Saving new permissions signs every holder out, so the change applies at once.</p>
<div><button type="submit">Save role</button></div>
</form></section>
<section class="panel" aria-labelledby="del-h"><h2 id="del-h">Delete</h2>
<form method="post" action="${base}/delete" hx-confirm="Delete role ${r.name}? Its ${r.holders} holder(s) lose it and are signed out."><input type="hidden" name="csrf" value="${p.csrf}"><button type="submit" class="danger">Delete role ${r.name}</button></form></section>`
}`;
}
