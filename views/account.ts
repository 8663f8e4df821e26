/** My account (page 11): change my password, my active sessions, end the others. */
import type { SessionListing } from "../app/identity/sessions.ts";
import { browserOf, relative, when } from "./format.ts";
import { html, join, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";

export interface AccountProps {
  username: string;
  displayName: string | null;
  roles: string[];
  csrf: string;
  currentSessionId: string | undefined;
  sessions: SessionListing[];
  minLength: number;
  now: Date;
  message?: { kind: NoticeKind; text: string } | null;
  passwordError?: string | null;
}

export function passwordForm(
  p: Pick<AccountProps, "csrf" | "username" | "minLength">,
  error?: string | null,
): SafeHtml {
  return html`<form class="stack" id="password-form" method="post" action="/account/password">
<input type="hidden" name="csrf" value="${p.csrf}">
<input type="text" name="username" autocomplete="username" value="${p.username}" hidden>
${error ? notice("bad", error) : ""}
<label>Current password<input type="password" name="current" autocomplete="current-password" required></label>
<label>New password <span class="hint">at least ${p.minLength} characters, not a common password, not your username</span><input type="password" name="password" autocomplete="new-password" required minlength="${p.minLength}"></label>
<label>Repeat the new password<input type="password" name="repeat" autocomplete="new-password" required minlength="${p.minLength}"></label>
<div><button type="submit">Change password</button></div>
<p class="hint">Changing your password signs out every other browser; this one stays signed in.</p>
</form>`;
}

export function sessionsPanel(
  p: Pick<AccountProps, "csrf" | "sessions" | "currentSessionId" | "now">,
  message?: { kind: NoticeKind; text: string } | null,
): SafeHtml {
  const others = p.sessions.filter((s) => s.id !== p.currentSessionId).length;
  return html`<section class="panel" id="sessions" aria-labelledby="sessions-h">
<div class="spread"><h2 id="sessions-h">My active sessions</h2>
${others > 0 ? html`<form method="post" action="/account/sessions/end-others" hx-post="/account/sessions/end-others" hx-target="#sessions" hx-swap="outerHTML"><input type="hidden" name="csrf" value="${p.csrf}"><button class="danger" type="submit">Sign out ${others} other session${others === 1 ? "" : "s"}</button></form>` : ""}</div>
${message ? notice(message.kind, message.text) : ""}
<div class="table-wrap"><table>
<thead><tr><th scope="col">Client</th><th scope="col">From</th><th scope="col">Signed in</th><th scope="col">Last active</th><th scope="col">Ends</th></tr></thead>
<tbody>${join(
    p.sessions.map(
      (s) => html`<tr>
<td>${browserOf(s.userAgent)}${s.id === p.currentSessionId ? html` <span class="badge ok">this browser</span>` : ""}</td>
<td class="mono">${s.clientIp ?? "—"}</td>
<td>${when(s.createdAt)}</td>
<td>${relative(s.lastSeenAt, p.now)}</td>
<td>${when(s.absoluteExpiresAt)}</td>
</tr>`,
    ),
  )}</tbody></table></div>
</section>`;
}

export function accountPage(p: AccountProps): SafeHtml {
  return html`<h1>My account</h1>
<p class="lead">${p.displayName ? html`${p.displayName} · ` : ""}<span class="mono">${p.username}</span>${p.roles.length ? html` · roles ${p.roles.join(", ")}` : ""}</p>
${p.message ? notice(p.message.kind, p.message.text) : ""}
<div class="columns">
<section class="panel" aria-labelledby="password-h"><h2 id="password-h">Change password</h2>${passwordForm(p, p.passwordError)}</section>
${sessionsPanel(p)}
</div>`;
}
