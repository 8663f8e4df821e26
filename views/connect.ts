/**
 * Connect an assistant (page 2): create a personal token, shown once, and the ready
 * configurations for Claude Desktop (mcp-remote over SSE) and Streamable HTTP clients, with
 * copy buttons, the gateway certificate to download and its SHA-256 fingerprint to compare.
 */
import { html, json, type SafeHtml } from "./html.ts";
import { shownOnce, tokenForm, type CreatedToken, type TokenFormProps } from "./tokens.ts";

export const MCP_REMOTE_VERSION = "0.15.1";
export const TOKEN_PLACEHOLDER = "PASTE-YOUR-TOKEN-HERE";
export const CA_PATH_PLACEHOLDER = "/full/path/to/nexus-gateway.pem";

export interface ConnectProps {
  csrf: string;
  /** https://host:port of the MCP listener, as this browser reaches the gateway. */
  apiBase: string;
  fingerprint256: string;
  certificateNotAfter: string;
  created: CreatedToken | null;
  form: Omit<TokenFormProps, "csrf" | "action">;
}

export function claudeDesktopConfig(apiBase: string, token: string): unknown {
  return {
    mcpServers: {
      nexus: {
        command: "npx",
        args: [
          "-y",
          `mcp-remote@${MCP_REMOTE_VERSION}`,
          `${apiBase}/mcp/sse`,
          "--transport",
          "sse-only",
          "--header",
          "Authorization:${NEXUS_AUTH}",
        ],
        env: { NEXUS_AUTH: `Bearer ${token}`, NODE_EXTRA_CA_CERTS: CA_PATH_PLACEHOLDER },
      },
    },
  };
}

function block(id: string, title: SafeHtml | string, text: string, hint?: SafeHtml): SafeHtml {
  return html`<div class="config">
<div class="spread"><h3 id="${id}-h">${title}</h3><button type="button" class="secondary" data-copy="${id}" aria-describedby="${id}-h">Copy</button></div>
${hint ?? ""}
<pre id="${id}" tabindex="0" aria-labelledby="${id}-h">${text}</pre>
</div>`;
}

export function configBlocks(apiBase: string, token: string | null): SafeHtml {
  const t = token ?? TOKEN_PLACEHOLDER;
  const mcp = `${apiBase}/mcp`;
  return html`${token ? "" : html`<p class="notice warn">Create a token above first: the configurations below then carry it, ready to paste. Until then they show <code>${TOKEN_PLACEHOLDER}</code>.</p>`}
${block("cfg-claude-desktop", "Claude Desktop", json(claudeDesktopConfig(apiBase, t)), html`<p class="hint">Settings → Developer → Edit Config opens <code>claude_desktop_config.json</code>; put this in it (merge into an existing <code>mcpServers</code>), replace <code>${CA_PATH_PLACEHOLDER}</code> with where you saved the certificate (step 2), and restart Claude Desktop. Needs Node.js for <code>npx</code>.</p>`)}
${block("cfg-claude-code", "Claude Code", `NODE_EXTRA_CA_CERTS=${CA_PATH_PLACEHOLDER} claude mcp add --transport http nexus ${mcp} --header "Authorization: Bearer ${t}"`)}
${block("cfg-vscode", html`VS Code <span class="hint">.vscode/mcp.json</span>`, json({ servers: { nexus: { type: "http", url: mcp, headers: { Authorization: `Bearer ${t}` } } } }))}
${block("cfg-cursor", html`Cursor <span class="hint">~/.cursor/mcp.json</span>`, json({ mcpServers: { nexus: { url: mcp, headers: { Authorization: `Bearer ${t}` } } } }))}
${block("cfg-http", "Any Streamable HTTP client", `URL:    ${mcp}\nHeader: Authorization: Bearer ${t}\n(SSE clients: ${apiBase}/mcp/sse)`)}`;
}

export function connectPage(p: ConnectProps): SafeHtml {
  return html`<h1>Connect an assistant</h1>
<p class="lead">Three steps: a personal token, the gateway’s certificate, and the configuration for your assistant. The assistant then acts as you, within your roles and the token’s limits.</p>
<section class="panel step" aria-labelledby="step1-h"><h2 id="step1-h"><span class="step-no">1</span> Create a personal token</h2>
${p.created ? shownOnce(p.created) : tokenForm({ csrf: p.csrf, action: "/connect", submitLabel: "Create token and show the configuration", ...p.form })}
</section>
<section class="panel step" aria-labelledby="step2-h"><h2 id="step2-h"><span class="step-no">2</span> Trust the gateway’s certificate</h2>
<p>The gateway uses its own certificate. Save it and point <code>NODE_EXTRA_CA_CERTS</code> at the file (Node-based clients such as <code>mcp-remote</code> and Claude Code), or add it to your system’s trust store.</p>
<p class="row"><a class="button" href="/connect/gateway.pem" download="nexus-gateway.pem" hx-boost="false">Download nexus-gateway.pem</a><span class="hint">valid until ${p.certificateNotAfter || "—"}</span></p>
<p>Compare the SHA-256 fingerprint with what your administrator gave you (or <code>openssl x509 -noout -fingerprint -sha256 -in nexus-gateway.pem</code>):</p>
<div class="copyable"><code class="fingerprint" id="fingerprint">${p.fingerprint256}</code><button type="button" class="secondary" data-copy="fingerprint">Copy fingerprint</button></div>
</section>
<section class="panel step" aria-labelledby="step3-h"><h2 id="step3-h"><span class="step-no">3</span> Paste the configuration</h2>
${configBlocks(p.apiBase, p.created?.token ?? null)}
</section>`;
}
