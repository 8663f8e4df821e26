/**
 * The OAuth consent page and the pages around it: what an application asks for, the user's
 * narrowing (read-only, clusters), approve/deny; the hand-off back to the application; and the
 * error page for requests that cannot safely go back. Every value is escaped (html.ts); the
 * client's name is the client's own claim and is shown as such.
 */
import { html, url, type SafeHtml } from "./html.ts";
import { notice } from "./layout.ts";

export interface ConsentPageProps {
  requestId: string;
  csrf: string;
  username: string;
  clientName: string;
  clientUri: string | null;
  redirectUri: string;
  registeredAt: Date;
  writeOffered: boolean;
  writeRefusedBecause: string | null;
  clusters: { id: string; name: string }[];
  error?: string | null;
}

export function consentPage(p: ConsentPageProps): SafeHtml {
  const target = new URL(p.redirectUri);
  return html`<h1>Connect ${p.clientName}?</h1>
${p.error ? notice("bad", p.error) : ""}
<p>An application that calls itself <strong>${p.clientName}</strong> wants to use this gateway's MCP tools as <strong>${p.username}</strong>.
Only continue if you started this from your assistant just now.</p>
<dl>
<dt>Application</dt><dd>${p.clientName} <span class="muted">(name given by the application; registered ${p.registeredAt.toISOString().slice(0, 16).replace("T", " ")} UTC)</span>${p.clientUri ? html` — <a href="${url(p.clientUri)}" rel="noreferrer">${p.clientUri}</a>` : ""}</dd>
<dt>Sends you back to</dt><dd><code>${p.redirectUri}</code>${target.protocol === "http:" ? html` <span class="muted">(a program on this computer)</span>` : ""}</dd>
</dl>
<form class="stack" method="post" action="/oauth/consent/${p.requestId}">
<input type="hidden" name="csrf" value="${p.csrf}">
<fieldset>
<legend>What it may do</legend>
<label><input type="radio" name="access" value="read" ${p.writeOffered ? "" : "checked"}> Read only: look at fabrics, switches, health and other state</label>
${
  p.writeOffered
    ? html`<label><input type="radio" name="access" value="write" checked> Read and write: also request changes (your roles, edit mode, the whitelist and approvals still apply)</label>`
    : html`<p class="hint">Read and write is not offered: ${p.writeRefusedBecause}.</p>`
}
</fieldset>
<fieldset>
<legend>Which clusters</legend>
<label><input type="radio" name="scope_clusters" value="all" checked> Every cluster you may use</label>
${
  p.clusters.length
    ? html`<label><input type="radio" name="scope_clusters" value="some"> Only these:</label>
${p.clusters.map((c) => html`<label class="indent"><input type="checkbox" name="cluster" value="${c.id}"> ${c.name}</label>`)}`
    : html`<p class="hint">You have no cluster access yet; an administrator can give you some.</p>`
}
</fieldset>
<p class="hint">Access lasts until you revoke it (My account → Connected apps); the application gets short-lived tokens it renews.</p>
<div class="actions">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</div>
</form>`;
}

/** After the decision: back to the application (a redirect from a form POST to another origin is not allowed by our CSP). */
export function returnPage(p: { clientName: string; location: string; approved: boolean }): SafeHtml {
  const to = url(p.location);
  return html`<meta http-equiv="refresh" content="0;url=${to}">
<h1>${p.approved ? "Access allowed" : "Access denied"}</h1>
${notice(p.approved ? "ok" : "warn", p.approved ? `${p.clientName} can now use the gateway as you. Returning you to it…` : `${p.clientName} was told you declined. Returning you to it…`)}
<p><a id="continue" href="${to}">Continue to ${p.clientName}</a></p>`;
}

export function authorizationErrorPage(message: string): SafeHtml {
  return html`<h1>Cannot connect this application</h1>
${notice("bad", message)}
<p>Nothing was shared. Start the connection again from your assistant; if it keeps failing, ask your gateway administrator.</p>`;
}
