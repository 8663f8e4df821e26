/**
 * Users (page 4): the list with roles, cluster access, last sign-in and status; creating a user
 * (a generated password shown once, changed at first sign-in); one user's page with roles,
 * clusters, enable/disable and password reset.
 */
import type { Role } from "../app/identity/roles.ts";
import type { UserListing } from "../app/identity/users.ts";
import { relative, when } from "./format.ts";
import { html, join, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";
import type { ClusterChoice } from "./tokens.ts";

export type Message = { kind: NoticeKind; text: string } | null | undefined;

/** A role the current user may hand out (holds all its permissions) or not, with why. */
export interface RoleChoice {
  name: string;
  description: string;
  grantable: boolean;
  missing: string[];
}

export function roleChoices(roles: Role[], held: ReadonlySet<string>): RoleChoice[] {
  return roles.map((r) => {
    const missing = r.permissions.filter((p) => !held.has(p));
    return { name: r.name, description: r.description, grantable: missing.length === 0, missing };
  });
}

function statusBadges(u: UserListing): SafeHtml {
  return html`${u.active ? html`<span class="badge ok">active</span>` : html`<span class="badge bad">disabled</span>`}${u.mustChangePassword && u.active ? html` <span class="badge warn">must change password</span>` : ""}${u.kind === "service" ? html` <span class="badge">service</span>` : ""}`;
}

function clusterText(u: Pick<UserListing, "allClusters" | "clusters">, names: Map<string, string>): SafeHtml {
  if (u.allClusters) return html`<span class="badge">all clusters</span>`;
  if (u.clusters.length === 0) return html`<span class="muted">none</span>`;
  return html`${u.clusters.map((id) => names.get(id) ?? `removed ${id.slice(0, 8)}`).join(", ")}`;
}

function roleBoxes(choices: RoleChoice[], checked: string[], prefix: string): SafeHtml {
  return join(
    choices.map(
      (r, i) =>
        html`<label class="check" for="${prefix}-${i}"><input type="checkbox" id="${prefix}-${i}" name="roles" value="${r.name}"${checked.includes(r.name) ? html` checked` : ""}${r.grantable ? "" : html` disabled`}>${r.name}${r.grantable ? (r.description ? html` <span class="hint">${r.description}</span>` : "") : html` <span class="hint">needs ${r.missing.join(", ")}, which you do not hold</span>`}</label>`,
    ),
  );
}

function clusterFieldset(clusters: ClusterChoice[], all: boolean, checked: string[], prefix: string): SafeHtml {
  return html`<fieldset><legend>Cluster access</legend>
<label class="check" for="${prefix}-all"><input type="checkbox" id="${prefix}-all" name="allClusters" value="1"${all ? html` checked` : ""}>All clusters, also ones added later</label>
${clusters.length ? join(clusters.map((c, i) => html`<label class="check" for="${prefix}-${i}"><input type="checkbox" id="${prefix}-${i}" name="clusters" value="${c.id}"${checked.includes(c.id) ? html` checked` : ""}>${c.name}</label>`)) : html`<p class="hint">No cluster is registered yet.</p>`}
<p class="hint">Access is never implied: a user with no cluster can use none.</p>
</fieldset>`;
}

export interface NewUserValues {
  username?: string;
  displayName?: string;
  email?: string;
  roles?: string[];
  allClusters?: boolean;
  clusters?: string[];
}

export interface UsersPageProps {
  csrf: string;
  now: Date;
  users: UserListing[];
  roles: RoleChoice[];
  clusters: ClusterChoice[];
  clusterNames: Map<string, string>;
  message?: Message;
  created?: { username: string; password: string } | null;
  form?: { values?: NewUserValues; error?: string | null };
}

export function oneTimePassword(username: string, password: string, what: string): SafeHtml {
  return html`<section class="panel" aria-labelledby="otp-h"><h2 id="otp-h">${what} for ${username}</h2>
<div class="notice warn" role="status"><strong>Shown only this once.</strong> Hand it to ${username} in person or over a trusted channel; they must choose their own password at their first sign-in.</div>
<div class="copyable"><code class="secret" id="one-time-password">${password}</code><button type="button" class="secondary" data-copy="one-time-password">Copy password</button></div>
</section>`;
}

function createForm(p: UsersPageProps): SafeHtml {
  const v = p.form?.values ?? {};
  return html`<form class="stack" method="post" action="/users">
<input type="hidden" name="csrf" value="${p.csrf}">
${p.form?.error ? notice("bad", p.form.error) : ""}
<label>Username <span class="hint">letters, digits, . _ @ -</span><input type="text" name="username" required maxlength="64" autocomplete="off" value="${v.username ?? ""}"></label>
<label>Display name <span class="hint">optional</span><input type="text" name="displayName" maxlength="128" value="${v.displayName ?? ""}"></label>
<label>Email <span class="hint">optional</span><input type="email" name="email" maxlength="254" value="${v.email ?? ""}"></label>
<fieldset><legend>Roles</legend>${roleBoxes(p.roles, v.roles ?? ["viewer"], "new-role")}</fieldset>
${clusterFieldset(p.clusters, v.allClusters ?? false, v.clusters ?? [], "new-cluster")}
<p class="hint">The gateway generates a one-time password, shown once after you create the user.</p>
<div><button type="submit">Create user</button></div>
</form>`;
}

export function usersPage(p: UsersPageProps): SafeHtml {
  return html`<h1>Users</h1>
<p class="lead">People who sign in here and whose assistants use the gateway. Roles say what they may do; cluster access says where.</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
${p.created ? oneTimePassword(p.created.username, p.created.password, "One-time password") : ""}
<section class="panel" aria-labelledby="list-h"><h2 id="list-h">${p.users.length} user${p.users.length === 1 ? "" : "s"}</h2>
<div class="table-wrap"><table>
<caption class="visually-hidden">Users</caption>
<thead><tr><th scope="col">User</th><th scope="col">Roles</th><th scope="col">Clusters</th><th scope="col">Last sign-in</th><th scope="col">Status</th></tr></thead>
<tbody>${join(
    p.users.map(
      (u) => html`<tr>
<td><a href="/users/${encodeURIComponent(u.username)}">${u.username}</a>${u.displayName ? html`<div class="hint">${u.displayName}</div>` : ""}</td>
<td>${
        u.roles.length
          ? join(
              u.roles.map((r) => html`<span class="badge">${r}</span>`),
              " ",
            )
          : html`<span class="muted">none</span>`
      }</td>
<td>${clusterText(u, p.clusterNames)}</td>
<td>${u.lastLoginAt ? html`<span title="${when(u.lastLoginAt)}">${relative(u.lastLoginAt, p.now)}</span>` : html`<span class="muted">never</span>`}</td>
<td>${statusBadges(u)}</td>
</tr>`,
    ),
  )}</tbody></table></div></section>
<section class="panel" aria-labelledby="new-h"><h2 id="new-h">Create a user</h2>${createForm(p)}</section>`;
}

export interface UserPageProps {
  csrf: string;
  now: Date;
  user: UserListing;
  self: boolean;
  roles: RoleChoice[];
  clusters: ClusterChoice[];
  clusterNames: Map<string, string>;
  message?: Message;
  resetPassword?: string | null;
}

export function userPage(p: UserPageProps): SafeHtml {
  const u = p.user;
  const base = `/users/${encodeURIComponent(u.username)}`;
  return html`<p><a href="/users">← Users</a></p>
<h1>${u.username}</h1>
<p class="lead">${u.displayName ? html`${u.displayName} · ` : ""}${u.email ? html`${u.email} · ` : ""}${statusBadges(u)} · last sign-in ${u.lastLoginAt ? when(u.lastLoginAt) : "never"} · created ${when(u.createdAt)}</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
${p.resetPassword ? oneTimePassword(u.username, p.resetPassword, "New one-time password") : ""}
<div class="columns">
<section class="panel" aria-labelledby="roles-h"><h2 id="roles-h">Roles</h2>
<form class="stack" method="post" action="${base}/roles">
<input type="hidden" name="csrf" value="${p.csrf}">
<fieldset><legend>Roles of ${u.username}</legend>${roleBoxes(p.roles, u.roles, "role")}</fieldset>
<p class="hint">Changing roles signs ${u.username} out everywhere, so the new roles apply at once.</p>
<div><button type="submit">Save roles</button></div>
</form></section>
<section class="panel" aria-labelledby="clusters-h"><h2 id="clusters-h">Cluster access</h2>
<form class="stack" method="post" action="${base}/clusters">
<input type="hidden" name="csrf" value="${p.csrf}">
${clusterFieldset(p.clusters, u.allClusters, u.clusters, "cluster")}
<div><button type="submit">Save cluster access</button></div>
</form></section>
</div>
<section class="panel" aria-labelledby="danger-h"><h2 id="danger-h">Account</h2>
<div class="row">
${u.kind === "person" ? html`<form method="post" action="${base}/reset-password" hx-confirm="Reset the password of ${u.username}? Their sessions end and they must choose a new password."><input type="hidden" name="csrf" value="${p.csrf}"><button type="submit" class="secondary">Reset password</button></form>` : ""}
${
  p.self
    ? html`<span class="hint">You cannot disable yourself here.</span>`
    : u.active
      ? html`<form method="post" action="${base}/active" hx-confirm="Disable ${u.username}? Their sessions end and every API token of theirs is revoked."><input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="active" value="0"><button type="submit" class="danger">Disable ${u.username}</button></form>`
      : html`<form method="post" action="${base}/active"><input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="active" value="1"><button type="submit">Enable ${u.username}</button></form>`
}
</div>
<p class="hint">Disabling ends every session and revokes every API token of the user. The last active administrator cannot be disabled or lose the admin role.</p>
</section>`;
}
