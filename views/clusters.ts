/**
 * Page 3: clusters. The list with each cluster's last test, the add/edit form (credentials are
 * write-only: the form never carries the stored secret back, only whether one is set), the
 * connection test as a fragment, and removal behind a confirmation page.
 */
import { EMPTY, html, type SafeHtml } from "./html.ts";
import { notice, type NoticeKind } from "./layout.ts";
import { relative, when } from "./format.ts";

export interface ClusterView {
  id: string;
  name: string;
  baseUrl: string;
  authMode: "password" | "api_key";
  username: string | null;
  loginDomain: string;
  hasCredentials: boolean;
  credentialVersion: number;
  tlsVerify: boolean;
  hasCa: boolean;
  ndVersion: string | null;
  lastTestAt: Date | null;
  lastTestOk: boolean | null;
  lastTestError: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface TestView {
  ok: boolean;
  reachable: boolean;
  tls: string;
  login: string;
  version: string | null;
  latencyMs: number | null;
  error?: string;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function lastTest(c: ClusterView, now: Date): SafeHtml {
  if (!c.lastTestAt) return html`<span class="muted">never tested</span>`;
  return html`${c.lastTestOk ? html`<span class="badge ok">ok</span>` : html`<span class="badge bad">failed</span>`} <span class="hint">${relative(c.lastTestAt, now)}</span>${c.lastTestError ? html`<br><span class="hint">${c.lastTestError}</span>` : ""}`;
}

export function testResult(t: TestView, clusterName: string): SafeHtml {
  const step = (label: string, state: string, good: boolean, bad: boolean) =>
    html`<li><span class="badge ${good ? "ok" : bad ? "bad" : "warn"}">${state}</span> ${label}</li>`;
  return html`<div class="test-result" role="status">
<p><strong>${clusterName}:</strong> ${t.ok ? "connection works." : "connection failed."}</p>
<ul class="plain">
${step("reachable", t.reachable ? "yes" : "no", t.reachable, !t.reachable)}
${step("TLS", t.tls, t.tls === "verified", t.tls === "failed")}
${step("login", t.login.replace("_", " "), t.login === "ok", t.login === "failed")}
<li>ND version: <strong>${t.version ?? "unknown"}</strong></li>
<li>latency: <strong>${t.latencyMs === null ? "—" : `${t.latencyMs} ms`}</strong></li>
</ul>
${t.error ? notice(t.ok ? "warn" : "bad", t.error) : EMPTY}
</div>`;
}

export function clustersPage(p: {
  clusters: ClusterView[];
  csrf: string;
  now: Date;
  message?: { kind: NoticeKind; text: string } | null;
}): SafeHtml {
  return html`<div class="spread"><h1>Clusters</h1><a class="button" href="/clusters/new">Add a cluster</a></div>
<p class="lead">Nexus Dashboard clusters the gateway calls. Credentials are stored sealed and never shown again.</p>
${p.message ? notice(p.message.kind, p.message.text) : EMPTY}
${
  p.clusters.length
    ? html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">URL</th><th scope="col">Login</th><th scope="col">TLS</th><th scope="col">ND version</th><th scope="col">Last test</th><th scope="col">Actions</th></tr></thead>
<tbody>${p.clusters.map(
        (c) => html`<tr>
<td><a href="/clusters/${c.id}"><strong>${c.name}</strong></a></td>
<td class="mono">${c.baseUrl}</td>
<td>${c.hasCredentials ? html`${c.authMode === "api_key" ? "API key" : "password"} · ${c.username}` : html`<span class="badge bad">no credentials</span>`}</td>
<td>${c.tlsVerify ? html`<span class="badge ok">verified</span>${c.hasCa ? html` <span class="hint">own CA</span>` : ""}` : html`<span class="badge bad">insecure</span>`}</td>
<td>${c.ndVersion ?? "—"}</td>
<td id="last-test-${c.id}">${lastTest(c, p.now)}</td>
<td><form method="post" action="/clusters/${c.id}/test" hx-post="/clusters/${c.id}/test" hx-target="#test-${c.id}" hx-swap="innerHTML">${csrfField(p.csrf)}<button type="submit" class="secondary" aria-label="Test the connection to ${c.name}">Test</button></form>
<a href="/clusters/${c.id}">Edit</a> · <a href="/clusters/${c.id}/remove">Remove</a></td>
</tr><tr class="test-row"><td colspan="7" id="test-${c.id}" aria-live="polite"></td></tr>`,
      )}</tbody></table></div>`
    : html`<section class="panel"><p>No cluster yet. <a href="/clusters/new">Add your first Nexus Dashboard cluster</a>.</p></section>`
}`;
}

export interface ClusterFormProps {
  csrf: string;
  cluster: ClusterView | null;
  /** What the user typed (on an error), never a stored secret. */
  values: Record<string, string>;
  message?: { kind: NoticeKind; text: string } | null;
  now: Date;
}

export function clusterForm(p: ClusterFormProps): SafeHtml {
  const c = p.cluster;
  const v = (k: string, fallback = "") => p.values[k] ?? fallback;
  const mode = v("mode", c?.authMode ?? "password");
  const insecure = v("insecure", c && !c.tlsVerify ? "1" : "") === "1";
  return html`<p><a href="/clusters">← Clusters</a></p>
<h1>${c ? html`Edit ${c.name}` : "Add a cluster"}</h1>
${p.message ? notice(p.message.kind, p.message.text) : EMPTY}
<form method="post" action="${c ? `/clusters/${c.id}` : "/clusters/new"}" enctype="multipart/form-data" class="stack panel">
${csrfField(p.csrf)}
<label>Name <input type="text" name="name" value="${v("name", c?.name ?? "")}" required pattern="[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}"></label>
<label>URL <span class="hint">https://host[:port] of the Nexus Dashboard</span><input type="text" name="url" value="${v("url", c?.baseUrl ?? "")}" placeholder="https://nd.example.net" required></label>
<fieldset><legend>Login</legend>
${c ? html`<p class="hint">Credentials: ${c.hasCredentials ? html`<strong>set</strong> (${c.authMode === "api_key" ? "API key" : "password"} for ${c.username}, version ${c.credentialVersion}, cluster last changed ${when(c.updatedAt)})` : html`<strong>not set</strong> — enter them below`}. Leave the secret empty to keep it.</p>` : EMPTY}
<label>Mode <select name="mode"><option value="password"${mode === "password" ? html` selected` : ""}>user and password</option><option value="api_key"${mode === "api_key" ? html` selected` : ""}>API key</option></select></label>
<label>User <input type="text" name="user" value="${v("user", c?.username ?? "")}" autocomplete="off"></label>
<label>Password or API key <span class="hint">write-only: never shown again</span><input type="password" name="secret" autocomplete="new-password"></label>
<label>Login domain <span class="hint">(password mode)</span><input type="text" name="domain" value="${v("domain", c?.loginDomain ?? "DefaultAuth")}"></label>
</fieldset>
<fieldset><legend>TLS</legend>
<label>CA certificate of the cluster (PEM) <span class="hint">optional; otherwise the system trust store${c?.hasCa ? " — a CA is stored; upload a new one to replace it" : ""}</span><input type="file" name="ca" accept=".pem,.crt,.cer"></label>
${c?.hasCa ? html`<label class="check"><input type="checkbox" name="clearCa" value="1"> Remove the stored CA (use the system trust store)</label>` : EMPTY}
<label class="check"><input type="checkbox" name="insecure" value="1"${insecure ? html` checked` : ""}> Do not verify the certificate (insecure)</label>
<div class="notice warn">Insecure mode lets anyone on the network path impersonate this cluster and capture its credentials. Use it only in a lab; upload the cluster's CA instead.
<label class="check"><input type="checkbox" name="insecureConfirm" value="1"> I understand the risk</label></div>
</fieldset>
<div class="row"><button type="submit">${c ? "Save changes" : "Add cluster"}</button><a href="/clusters">Cancel</a></div>
</form>`;
}

export function removePage(c: ClusterView, csrf: string): SafeHtml {
  return html`<p><a href="/clusters">← Clusters</a></p>
<h1>Remove ${c.name}?</h1>
<section class="panel">
<p>The gateway forgets <strong>${c.name}</strong> (<span class="mono">${c.baseUrl}</span>) and its stored credentials. Assistants can no longer reach it. The audit log keeps its history.</p>
<form method="post" action="/clusters/${c.id}/remove" class="row">${csrfField(csrf)}
<label>Type the cluster name to confirm <input type="text" name="confirm" required autocomplete="off"></label>
<button type="submit" class="danger">Remove cluster</button><a href="/clusters">Cancel</a></form>
</section>`;
}
