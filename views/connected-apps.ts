/**
 * Connected apps: the OAuth grants a user gave (and, for administrators, everybody's and the
 * registered clients), each with a revoke button, plus how to connect a client without a token.
 */
import { html, type SafeHtml } from "./html.ts";
import { notice } from "./layout.ts";

export interface GrantItem {
  id: string;
  username: string;
  clientName: string;
  readOnly: boolean;
  clusters: string[] | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface ClientItem {
  id: string;
  clientName: string;
  redirectUris: string[];
  createdAt: Date;
  revokedAt: Date | null;
  liveGrants: number;
}

export interface ConnectedAppsProps {
  csrf: string;
  mine: GrantItem[];
  all: GrantItem[] | null;
  clients: ClientItem[] | null;
  mcpUrl: string;
  message?: string | null;
}

const when = (d: Date | null) => (d ? d.toISOString().slice(0, 16).replace("T", " ") : "never");

function grantTable(rows: GrantItem[], csrf: string, showUser: boolean): SafeHtml {
  if (!rows.length) return html`<p class="muted">No connected apps.</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr>${showUser ? html`<th>User</th>` : ""}<th>Application</th><th>Access</th><th>Clusters</th><th>Connected</th><th>Last used</th><th></th></tr></thead>
<tbody>${rows.map(
    (g) => html`<tr>
${showUser ? html`<td>${g.username}</td>` : ""}<td>${g.clientName}</td><td>${g.readOnly ? "read only" : "read and write"}</td>
<td>${g.clusters ? g.clusters.join(", ") : "all"}</td><td>${when(g.createdAt)}</td><td>${when(g.lastUsedAt)}</td>
<td>${
      g.revokedAt
        ? html`<span class="muted">revoked ${when(g.revokedAt)}${g.revokedReason ? html` (${g.revokedReason})` : ""}</span>`
        : html`<form method="post" action="/apps/${g.id}/revoke"><input type="hidden" name="csrf" value="${csrf}"><button class="danger" type="submit">Revoke</button></form>`
    }</td>
</tr>`,
  )}</tbody></table></div>`;
}

function clientTable(rows: ClientItem[], csrf: string): SafeHtml {
  if (!rows.length) return html`<p class="muted">No application has registered yet.</p>`;
  return html`<div class="table-wrap"><table>
<thead><tr><th>Application</th><th>Redirect URIs</th><th>Registered</th><th>Live grants</th><th></th></tr></thead>
<tbody>${rows.map(
    (
      c,
    ) => html`<tr><td>${c.clientName} <span class="muted">${c.id}</span></td><td>${c.redirectUris.map((u) => html`<code>${u}</code> `)}</td>
<td>${when(c.createdAt)}</td><td>${c.liveGrants}</td>
<td>${
      c.revokedAt
        ? html`<span class="muted">blocked ${when(c.revokedAt)}</span>`
        : html`<form method="post" action="/apps/clients/${c.id}/revoke"><input type="hidden" name="csrf" value="${csrf}"><button class="danger" type="submit">Block</button></form>`
    }</td></tr>`,
  )}</tbody></table></div>`;
}

export function connectedAppsPage(p: ConnectedAppsProps): SafeHtml {
  return html`<h1>Connected apps</h1>
${p.message ? notice("ok", p.message) : ""}
<p>Applications you allowed to use the gateway by signing in (OAuth). Revoking ends their access at once; they will ask you to sign in again.</p>
<section class="panel"><h2>Connect without a token</h2>
<p>Point the client at <code>${p.mcpUrl}</code>; it opens this gateway's sign-in page and asks for your consent. For Claude Desktop:</p>
<pre>${JSON.stringify({ mcpServers: { nexus: { command: "npx", args: ["-y", "mcp-remote@0.15.1", p.mcpUrl], env: { NODE_EXTRA_CA_CERTS: "/path/to/gateway-ca.pem" } } } }, null, 2)}</pre>
</section>
<h2>Yours</h2>
${grantTable(p.mine, p.csrf, false)}
${p.all ? html`<h2>Everybody's</h2>${grantTable(p.all, p.csrf, true)}` : ""}
${p.clients ? html`<h2>Registered applications</h2><p class="hint">Blocking an application ends all of its grants and refuses its sign-ins.</p>${clientTable(p.clients, p.csrf)}` : ""}`;
}
