/** The dashboard (page 1). */
import { html, type SafeHtml } from "./html.ts";

export interface DashboardProps {
  username: string;
  roles: string[];
}

export function dashboardPage(p: DashboardProps): SafeHtml {
  return html`<h1>Dashboard</h1>
<p class="lead">Welcome, ${p.username}${p.roles.length ? html` <span class="muted">(${p.roles.join(", ")})</span>` : ""}.</p>
<div class="grid">
<section class="panel"><h2>Connect an assistant</h2><p>Create a personal token and paste the ready configuration into Claude Desktop.</p><a class="button" href="/connect">Connect an assistant</a></section>
</div>`;
}
