/**
 * The official MCP SDK client's OAuth support over Streamable HTTP against the real gateway:
 * discovery from the 401, dynamic registration, PKCE, the browser step (played here with a
 * cookie-keeping fetch: sign-in and consent), the code exchange, then tools/list as the user.
 */
import { afterAll, expect, test } from "bun:test";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { UiClient } from "../ui/ui-client.ts";
import { ADMIN_PASSWORD, startMcpWorld } from "../support/mcp-world.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const ca = world.gw.server.tls.cert;
const tlsFetch = (url: string | URL, init?: RequestInit) => fetch(url, { ...init, tls: { ca } } as RequestInit);
const REDIRECT = "http://127.0.0.1:47123/callback";

/** An in-memory OAuth client provider, as a desktop app would keep it on disk. */
function provider() {
  const store: Record<string, any> = {};
  let authorizationUrl: URL | null = null;
  return {
    store,
    authorizationUrl: () => authorizationUrl,
    get redirectUrl() {
      return REDIRECT;
    },
    get clientMetadata() {
      return {
        client_name: "SDK Test Client",
        redirect_uris: [REDIRECT],
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      };
    },
    clientInformation: () => store.client,
    saveClientInformation: (c: any) => {
      store.client = c;
    },
    tokens: () => store.tokens,
    saveTokens: (t: any) => {
      store.tokens = t;
    },
    redirectToAuthorization: (url: URL) => {
      authorizationUrl = url;
    },
    saveCodeVerifier: (v: string) => {
      store.verifier = v;
    },
    codeVerifier: () => store.verifier,
    saveDiscoveryState: (s: any) => {
      store.discovery = s;
    },
    discoveryState: () => store.discovery,
    invalidateCredentials: (scope: string) => {
      if (scope === "all" || scope === "tokens") delete store.tokens;
    },
  };
}

/** The browser: open the authorization URL, sign in, approve; returns the callback URL. */
async function browse(authorizationUrl: URL, username: string): Promise<URL> {
  const ui = new UiClient(world.gw);
  await ui.page("/login");
  await ui.login(username, ADMIN_PASSWORD);
  const start = await ui.request(authorizationUrl.pathname + authorizationUrl.search);
  const consent = start.headers.get("location")!;
  expect(consent).toStartWith("/oauth/consent/");
  const page = await ui.page(consent);
  expect(page.text).toContain("SDK Test Client");
  const done = await ui.post(consent, { decision: "approve", access: "write", scope_clusters: "all" });
  const link = /<a id="continue" href="([^"]+)"/.exec(await done.text())![1]!.replaceAll("&amp;", "&");
  return new URL(link);
}

test("the SDK client signs in with OAuth and lists tools; tokens refresh with rotation", async () => {
  const auth = provider();
  const url = new URL(world.mcpUrl);
  const first = new StreamableHTTPClientTransport(url, { authProvider: auth as never, fetch: tlsFetch });
  await expect(new Client({ name: "sdk-oauth", version: "1" }).connect(first)).rejects.toThrow();
  const authorizationUrl = auth.authorizationUrl();
  expect(authorizationUrl?.searchParams.get("code_challenge_method")).toBe("S256");
  expect(authorizationUrl?.searchParams.get("resource")).toBe(world.mcpUrl);
  const callback = await browse(authorizationUrl!, "olga");
  await first.finishAuth(callback.searchParams);
  expect(auth.store.tokens.access_token).toMatch(/^nmg_oat_/);

  const client = new Client({ name: "sdk-oauth", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(url, { authProvider: auth as never, fetch: tlsFetch }));
  const tools = await client.listTools();
  expect(tools.tools.length).toBeGreaterThan(0);
  const result = await client.callTool({ name: "list_clusters", arguments: {} });
  expect(JSON.stringify(result.content)).toContain("sim");
  await client.close();
  const [row] = await world.gw.db.sql<
    { username: string; token_name: string }[]
  >`select username, token_name from audit_events where action = 'mcp.call' order by id desc limit 1`;
  expect(row).toMatchObject({ username: "olga", token_name: "SDK Test Client" });

  // An expired access token: the SDK refreshes (rotating the refresh token) and carries on.
  const oldRefresh = auth.store.tokens.refresh_token;
  await world.gw.db.sql`update oauth_tokens set expires_at = now() - interval '1 second' where kind = 'access'`;
  const again = new Client({ name: "sdk-oauth", version: "1" });
  await again.connect(new StreamableHTTPClientTransport(url, { authProvider: auth as never, fetch: tlsFetch }));
  expect((await again.listTools()).tools.length).toBeGreaterThan(0);
  expect(auth.store.tokens.refresh_token).not.toBe(oldRefresh);
  await again.close();
}, 60_000);
