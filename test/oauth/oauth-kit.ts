/**
 * Plays an OAuth client (registration, PKCE, token requests) and the user's browser (sign-in,
 * consent) against the real gateway over HTTPS, for the OAuth tests.
 */
import { createHash, randomBytes } from "node:crypto";
import { UiClient } from "../ui/ui-client.ts";
import type { TestServer } from "../support/server.ts";

export const REDIRECT = "http://127.0.0.1:33418/callback";

export function pkcePair() {
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

export class OAuthKit {
  constructor(readonly srv: TestServer) {}

  get apiOrigin() {
    return this.srv.server.api.url.replace(/\/$/, "");
  }
  get resource() {
    return `${this.apiOrigin}/mcp`;
  }

  async register(
    body: Record<string, unknown> = { client_name: "Test Assistant", redirect_uris: [REDIRECT] },
  ): Promise<Response> {
    return this.srv.fetchApi("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  async clientId(name = "Test Assistant", redirectUris = [REDIRECT]): Promise<string> {
    const res = await this.register({ client_name: name, redirect_uris: redirectUris });
    if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { client_id: string }).client_id;
  }

  authorizeQuery(clientId: string, challenge: string, extra: Record<string, string | null> = {}): string {
    const q = new URLSearchParams();
    const all: Record<string, string | null> = {
      response_type: "code",
      client_id: clientId,
      redirect_uri: REDIRECT,
      code_challenge: challenge,
      code_challenge_method: "S256",
      state: "st-1",
      scope: "mcp:read mcp:write",
      resource: this.resource,
      ...extra,
    };
    for (const [k, v] of Object.entries(all)) if (v !== null) q.set(k, v);
    return `/oauth/authorize?${q}`;
  }

  async browser(username: string, password: string): Promise<UiClient> {
    const ui = new UiClient(this.srv);
    await ui.page("/login");
    const res = await ui.login(username, password);
    if (res.status !== 303) throw new Error(`login failed: ${res.status}`);
    return ui;
  }

  /** The browser follows /oauth/authorize to the consent page; returns the consent path. */
  async consentPath(ui: UiClient, authorizePath: string): Promise<string> {
    const res = await ui.request(authorizePath);
    const location = res.headers.get("location") ?? "";
    if (res.status !== 303 || !location.startsWith("/oauth/consent/"))
      throw new Error(`authorize gave ${res.status} ${location} ${await res.text()}`);
    return location;
  }

  /** Submits the consent form; returns the client redirect the page sends the browser to. */
  async decide(
    ui: UiClient,
    consentPath: string,
    form: Record<string, string | string[]> = { decision: "approve", access: "write", scope_clusters: "all" },
  ): Promise<URL> {
    await ui.page(consentPath);
    const res = await ui.post(consentPath, form);
    const text = await res.text();
    const m = /<a id="continue" href="([^"]+)"/.exec(text);
    if (!m) throw new Error(`no hand-off link: ${res.status} ${text.slice(0, 500)}`);
    return new URL(m[1]!.replaceAll("&amp;", "&"));
  }

  async token(
    form: Record<string, string>,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: any }> {
    const res = await this.srv.fetchApi("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(form),
    });
    return { status: res.status, body: await res.json() };
  }

  /** Register, sign in, consent, exchange: a working token set. */
  async fullFlow(username: string, password: string, consent?: Record<string, string | string[]>) {
    const clientId = await this.clientId();
    const { verifier, challenge } = pkcePair();
    const ui = await this.browser(username, password);
    const back = await this.decide(ui, await this.consentPath(ui, this.authorizeQuery(clientId, challenge)), consent);
    const code = back.searchParams.get("code")!;
    const tokens = await this.token({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: this.resource,
    });
    return { clientId, verifier, code, tokens, ui };
  }

  async mcp(token: string, path = "/mcp", host?: string): Promise<Response> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    };
    if (host) headers.host = host;
    return this.srv.fetchApi(path, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "t", version: "1" } },
      }),
    });
  }
}
