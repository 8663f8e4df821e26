/** A page of the navigation whose content is not built yet (issue 10 is being built page by page). */
import { html, type SafeHtml } from "./html.ts";

export function pendingPage(title: string, what: string): SafeHtml {
  return html`<h1>${title}</h1><div class="panel"><p>${what}</p><p class="muted">This page is not built yet; until it is, use <code>bun run cli</code> on the appliance.</p></div>`;
}
