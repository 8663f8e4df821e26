/**
 * Page 9: the catalog — imported documents and their versions, import by upload (with the
 * importer's own messages for broken files), the operation browser with search and risk filter,
 * and one operation with its risk class and why, parameters and compact schemas. Operation
 * descriptions come from imported documents: escaped like every other value.
 */
import { EMPTY, html, type SafeHtml } from "./html.ts";
import { notice } from "./layout.ts";
import { when } from "./format.ts";
import { riskBadge } from "./approvals.ts";

export interface VersionView {
  source: string;
  version: number;
  active: boolean;
  title: string;
  apiVersion: string;
  fileName: string;
  origin: string;
  operationCount: number;
  warnings: string[];
  importedAt: Date;
  importedBy: string | null;
}

export interface OpHitView {
  id: string;
  summary: string;
  method: string;
  path: string;
  risk: string;
}

export interface ImportResultView {
  fileName: string;
  status: string;
  source?: string;
  version?: number;
  operations?: number;
  error?: string;
  warnings?: string[];
}

export function operationHits(q: string, risk: string, hits: OpHitView[]): SafeHtml {
  if (!q && !risk)
    return html`<div id="catalog-results"><p class="hint">Search by words (“list fabrics”, “vrf attach”), or pick a risk class.</p></div>`;
  if (!hits.length) return html`<div id="catalog-results"><p class="muted">No operation matches.</p></div>`;
  return html`<div id="catalog-results" class="table-wrap"><table>
<thead><tr><th scope="col">Operation</th><th scope="col">Risk</th><th scope="col">Method and path</th></tr></thead>
<tbody>${hits.map((h) => html`<tr><td><a href="/catalog/operations/${h.id}"><strong>${h.summary}</strong></a><br><code>${h.id}</code></td><td>${riskBadge(h.risk)}</td><td class="mono">${h.method} ${h.path}</td></tr>`)}</tbody></table></div>`;
}

function importResults(results: ImportResultView[]): SafeHtml {
  return html`<ul class="plain">${results.map(
    (r) =>
      html`<li>${
        r.status === "failed"
          ? notice("bad", html`<strong>${r.fileName}</strong>: ${r.error}`)
          : notice(
              "ok",
              html`<strong>${r.fileName}</strong>: ${r.status === "imported" ? html`imported as ${r.source} version ${r.version}, ${r.operations} operations` : "unchanged (identical to the active version)"}${r.warnings?.length ? html` — ${r.warnings.length} warning(s): ${r.warnings.slice(0, 3).join("; ")}` : ""}`,
            )
      }</li>`,
  )}</ul>`;
}

export interface CatalogPageProps {
  csrf: string;
  versions: VersionView[];
  counts: { risk: string; count: number }[];
  canImport: boolean;
  q: string;
  risk: string;
  hits: OpHitView[];
  risks: readonly string[];
  imported?: ImportResultView[] | null;
}

export function catalogPage(p: CatalogPageProps): SafeHtml {
  return html`<h1>Catalog</h1>
<p class="lead">The Nexus Dashboard API operations the gateway knows, from imported OpenAPI documents. ${p.counts.map((c) => html`${riskBadge(c.risk)} ${c.count} `)}</p>
${p.imported ? html`<section class="panel"><h2>Import result</h2>${importResults(p.imported)}</section>` : EMPTY}
<section class="panel"><h2>Operations</h2>
<form method="get" action="/catalog" class="row" role="search" hx-get="/catalog/operations" hx-target="#catalog-results" hx-swap="outerHTML" hx-push-url="false">
<label>Search <input type="search" name="q" value="${p.q}" placeholder="list fabrics" hx-get="/catalog/operations" hx-trigger="input changed delay:300ms" hx-target="#catalog-results" hx-swap="outerHTML" hx-push-url="false" hx-include="closest form"></label>
<label>Risk <select name="risk"><option value="">any</option>${p.risks.map((r) => html`<option${r === p.risk ? html` selected` : ""}>${r}</option>`)}</select></label>
<button type="submit" class="secondary">Search</button></form>
${operationHits(p.q, p.risk, p.hits)}
</section>
<section class="panel"><h2>Documents</h2>
<div class="table-wrap"><table><thead><tr><th scope="col">Source</th><th scope="col">Version</th><th scope="col">Document</th><th scope="col" class="num">Operations</th><th scope="col">Imported</th></tr></thead><tbody>
${p.versions.map(
  (
    v,
  ) => html`<tr><td><code>${v.source}</code></td><td>${v.version} ${v.active ? html`<span class="badge ok">active</span>` : ""}</td>
<td>${v.title} <span class="hint">${v.apiVersion}</span><br><span class="hint">${v.fileName} (${v.origin})${v.warnings.length ? ` — ${v.warnings.length} warning(s)` : ""}</span></td>
<td class="num">${v.operationCount}</td><td>${when(v.importedAt)}<br><span class="hint">${v.importedBy ?? "—"}</span></td></tr>`,
)}
</tbody></table></div>
${
  p.canImport
    ? html`<h3>Import documents</h3>
<form method="post" action="/catalog/import" enctype="multipart/form-data" class="row"><input type="hidden" name="csrf" value="${p.csrf}">
<label>OpenAPI documents (JSON) <input type="file" name="files" accept=".json,application/json" multiple required></label>
<button type="submit">Import</button></form>
<p class="hint">A document identical to the active version changes nothing; a broken file is refused with the line and column of the problem.</p>`
    : EMPTY
}
</section>`;
}

export interface OperationDetailProps {
  id: string;
  summary: string;
  description: string;
  method: string;
  path: string;
  risk: string;
  riskReason: string;
  idempotent: boolean;
  scopes: string[];
  tags: string[];
  params: { name: string; in: string; required: boolean; type: string; description: string; enumText: string }[];
  body: { contentType: string; required: boolean; multipart: boolean; schema: string } | null;
  response: { status: string; schema: string } | null;
  secretFields: string[];
}

export function operationDetail(o: OperationDetailProps): SafeHtml {
  return html`<p><a href="/catalog">← Catalog</a></p>
<h1>${o.summary}</h1>
<section class="panel"><dl class="facts">
<dt>Id</dt><dd><code>${o.id}</code></dd>
<dt>Method and path</dt><dd class="mono">${o.method} ${o.path}</dd>
<dt>Risk</dt><dd>${riskBadge(o.risk)} ${o.riskReason}${o.idempotent ? "" : html` <span class="hint">(not idempotent)</span>`}</dd>
${o.tags.length ? html`<dt>Tags</dt><dd>${o.tags.join(", ")}</dd>` : EMPTY}
${o.scopes.length ? html`<dt>ND roles</dt><dd>${o.scopes.join(", ")}</dd>` : EMPTY}
${o.secretFields.length ? html`<dt>Secret fields</dt><dd>${o.secretFields.join(", ")} <span class="hint">(redacted from answers)</span></dd>` : EMPTY}
</dl>
${o.description ? html`<p class="description">${o.description}</p>` : EMPTY}</section>
<section class="panel"><h2>Parameters</h2>
${
  o.params.length
    ? html`<div class="table-wrap"><table><thead><tr><th scope="col">Name</th><th scope="col">In</th><th scope="col">Type</th><th scope="col">Description</th></tr></thead><tbody>
${o.params.map((p) => html`<tr><td><code>${p.name}</code>${p.required ? html` <span class="badge warn">required</span>` : ""}</td><td>${p.in}</td><td class="mono">${p.type}${p.enumText ? html`<br><span class="hint">${p.enumText}</span>` : ""}</td><td>${p.description}</td></tr>`)}
</tbody></table></div>`
    : html`<p class="muted">No parameters.</p>`
}</section>
${o.body ? html`<section class="panel"><h2>Request body</h2><p class="hint">${o.body.contentType}${o.body.required ? ", required" : ""}${o.body.multipart ? " — a file upload; not callable through MCP" : ""}</p><pre tabindex="0">${o.body.schema}</pre></section>` : EMPTY}
${o.response ? html`<section class="panel"><h2>Response ${o.response.status}</h2><pre tabindex="0">${o.response.schema}</pre></section>` : EMPTY}`;
}
