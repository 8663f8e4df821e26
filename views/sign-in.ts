/** Sign-in and the forced password change: small cards without navigation. */
import { html, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";

export interface LoginProps {
  next: string;
  username?: string;
  message?: { kind: NoticeKind; text: string } | null;
}

export function loginPage(p: LoginProps): SafeHtml {
  return html`<h1>Sign in to Nexus MCP Gateway</h1>
${p.message ? notice(p.message.kind, p.message.text) : ""}
<form class="stack" method="post" action="/login">
<input type="hidden" name="next" value="${p.next}">
<label>Username<input type="text" name="username" autocomplete="username" required autofocus value="${p.username ?? ""}"></label>
<label>Password<input type="password" name="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`;
}

export interface PasswordChangeProps {
  username: string;
  forced: boolean;
  next: string;
  csrf: string;
  error?: string | null;
  minLength: number;
}

export function passwordChangeForm(p: PasswordChangeProps): SafeHtml {
  return html`<form class="stack" method="post" action="/password">
<input type="hidden" name="csrf" value="${p.csrf}">
<input type="hidden" name="next" value="${p.next}">
<input type="text" name="username" autocomplete="username" value="${p.username}" hidden>
${p.error ? notice("bad", p.error) : ""}
<label>Current password<input type="password" name="current" autocomplete="current-password" required></label>
<label>New password <span class="hint">at least ${p.minLength} characters, not a common password, not your username</span><input type="password" name="password" autocomplete="new-password" required minlength="${p.minLength}"></label>
<label>Repeat the new password<input type="password" name="repeat" autocomplete="new-password" required minlength="${p.minLength}"></label>
<button type="submit">Change password</button>
</form>`;
}

export function passwordChangePage(p: PasswordChangeProps): SafeHtml {
  return html`<h1>${p.forced ? "Choose a new password" : "Change your password"}</h1>
${p.forced ? html`<p class="muted">Your password was generated or reset by an administrator. Choose your own before you continue.</p>` : ""}
${passwordChangeForm(p)}
<form method="post" action="/logout"><input type="hidden" name="csrf" value="${p.csrf}"><button class="link" type="submit">Sign out instead</button></form>`;
}
