// The OAuth endpoints over real HTTPS against real PostgreSQL: discovery, registration,
// authorization with sign-in and consent, the token endpoint's grants and every refusal.
import { afterAll, describe, expect, test } from "bun:test";
import { createUser, setUserActive } from "../../app/identity/users.ts";
import { cliCaller } from "../../app/identity/caller.ts";
import { startTestServer } from "../support/server.ts";
import { OAuthKit, pkcePair, REDIRECT } from "./oauth-kit.ts";

const PASSWORD = "correct-Horse-battery-9";
const srv = await startTestServer({ ADMIN_PASSWORD: PASSWORD, OAUTH_REGISTRATIONS_PER_MINUTE: "1000" });
afterAll(() => srv.stop());
const kit = new OAuthKit(srv);
const cli = cliCaller("cli");
await createUser(
  srv.db.sql,
  cli,
  { username: "olga", password: PASSWORD, roles: ["operator"], clusters: "all" },
  { passwords: srv.server.services.passwords },
);
await createUser(
  srv.db.sql,
  cli,
  { username: "vera", password: PASSWORD, roles: ["viewer"], clusters: "all" },
  { passwords: srv.server.services.passwords },
);

async function audit(action: string) {
  return srv.db.sql<
    { username: string | null; details: any; reason: string | null }[]
  >`select username, details, reason from audit_events where action = ${action} order by id`;
}

describe("discovery", () => {
  test("protected resource metadata names the gateway as its authorization server, for every MCP path", async () => {
    for (const path of [
      "/.well-known/oauth-protected-resource",
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource/mcp/sse",
    ]) {
      const res = await srv.fetchApi(path);
      expect(res.status).toBe(200);
      const body = (await res.json()) as any;
      expect(body.resource).toBe(kit.resource);
      expect(body.authorization_servers).toEqual([kit.apiOrigin]);
      expect(body.scopes_supported).toEqual(["mcp:read", "mcp:write"]);
    }
  });

  test("authorization server metadata: issuer, endpoints on the right listeners, S256 only", async () => {
    for (const path of [
      "/.well-known/oauth-authorization-server",
      "/.well-known/openid-configuration",
      "/.well-known/oauth-authorization-server/mcp",
    ]) {
      const body = (await (await srv.fetchApi(path)).json()) as any;
      expect(body.issuer).toBe(kit.apiOrigin);
      expect(body.authorization_endpoint).toBe(`${srv.server.ui.url.replace(/\/$/, "")}/oauth/authorize`);
      expect(body.token_endpoint).toBe(`${kit.apiOrigin}/oauth/token`);
      expect(body.registration_endpoint).toBe(`${kit.apiOrigin}/oauth/register`);
      expect(body.code_challenge_methods_supported).toEqual(["S256"]);
      expect(body.token_endpoint_auth_methods_supported).toEqual(["none"]);
    }
  });

  test("a foreign Host gets no metadata", async () => {
    const res = await srv.fetchApi("/.well-known/oauth-authorization-server", { headers: { host: "evil.example" } });
    expect(res.status).toBe(403);
  });

  test("every 401 on the MCP endpoints points at the metadata and keeps the plain-language error", async () => {
    for (const [path, suffix] of [
      ["/mcp", "/mcp"],
      ["/mcp/sse", "/mcp/sse"],
    ] as const) {
      const res =
        path === "/mcp"
          ? await kit.mcp("nmg_oat_000000000000000000000000_" + "a".repeat(43))
          : await srv.fetchApi(path);
      expect(res.status).toBe(401);
      expect(res.headers.get("www-authenticate")).toContain(
        `resource_metadata="${kit.apiOrigin}/.well-known/oauth-protected-resource${suffix}"`,
      );
      const body = (await res.json()) as any;
      expect(body.error.message).toContain("unauthorized");
      expect(body.error.message).toContain("OAuth");
    }
  });
});

describe("dynamic client registration", () => {
  test("a loopback client registers as a public client", async () => {
    const res = await kit.register({
      client_name: "Claude",
      redirect_uris: ["http://localhost:4242/oauth/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code", "refresh_token"],
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as any;
    expect(body.client_id).toMatch(/^[0-9a-f]{24}$/);
    expect(body.token_endpoint_auth_method).toBe("none");
    expect(body.client_secret).toBeUndefined();
    expect((await audit("oauth.client.register")).at(-1)?.details.clientName).toBe("Claude");
  });

  test.each([
    [{ client_name: "x" }, "invalid_redirect_uri", "redirect_uris is required"],
    [{ redirect_uris: ["http://evil.example/cb"] }, "invalid_redirect_uri", "only allowed on loopback"],
    [{ redirect_uris: ["https://app.example/cb#frag"] }, "invalid_redirect_uri", "fragment"],
    [{ redirect_uris: ["javascript:alert(1)"] }, "invalid_redirect_uri", "not supported"],
    [{ redirect_uris: [`https://app.example/${"a".repeat(600)}`] }, "invalid_redirect_uri", "at most 512"],
    [
      {
        redirect_uris: [
          "https://a.example/1",
          "https://a.example/2",
          "https://a.example/3",
          "https://a.example/4",
          "https://a.example/5",
          "https://a.example/6",
        ],
      },
      "invalid_redirect_uri",
      "at most 5",
    ],
    [
      { redirect_uris: [REDIRECT], token_endpoint_auth_method: "client_secret_basic" },
      "invalid_client_metadata",
      "public clients only",
    ],
    [
      { redirect_uris: [REDIRECT], grant_types: ["client_credentials"] },
      "invalid_client_metadata",
      "client_credentials",
    ],
    [{ redirect_uris: [REDIRECT], client_name: "x".repeat(101) }, "invalid_client_metadata", "at most 100"],
  ])("refused: %j", async (body, error, words) => {
    const res = await kit.register(body);
    expect(res.status).toBe(400);
    const json = (await res.json()) as any;
    expect(json.error).toBe(error);
    expect(json.error_description).toContain(words);
  });

  test("a body that is not JSON, or too big, is refused", async () => {
    const notJson = await srv.fetchApi("/oauth/register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{",
    });
    expect(notJson.status).toBe(400);
    const big = await kit.register({ redirect_uris: [REDIRECT], client_name: "x", pad: "y".repeat(20_000) });
    expect(big.status).toBe(413);
  });
});

describe("authorization code flow", () => {
  test("sign-in first if needed, then consent, then tokens that work on /mcp as the user", async () => {
    const clientId = await kit.clientId("Flow Client");
    const { verifier, challenge } = pkcePair();
    const ui = new (await import("../ui/ui-client.ts")).UiClient(srv);
    const first = await ui.request(kit.authorizeQuery(clientId, challenge));
    const consentPath = first.headers.get("location")!;
    expect(consentPath).toMatch(/^\/oauth\/consent\//);
    const toLogin = await ui.request(consentPath);
    expect(toLogin.status).toBe(303);
    expect(toLogin.headers.get("location")).toBe(`/login?next=${encodeURIComponent(consentPath)}`);
    await ui.page("/login");
    const signedIn = await ui.post("/login", { username: "olga", password: PASSWORD, next: consentPath });
    expect(signedIn.headers.get("location")).toBe(consentPath);
    const page = await ui.page(consentPath);
    expect(page.text).toContain("Flow Client");
    expect(page.text).toContain(REDIRECT);
    expect(page.text).toContain("Read and write");
    const back = await kit.decide(ui, consentPath);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("state")).toBe("st-1");
    expect(back.searchParams.get("iss")).toBe(kit.apiOrigin);
    const code = back.searchParams.get("code")!;
    expect(code).toMatch(/^nmg_oac_/);
    const { status, body } = await kit.token({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: kit.resource,
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 3600, scope: "mcp:read mcp:write" });
    expect(body.access_token).toMatch(/^nmg_oat_/);
    expect(body.refresh_token).toMatch(/^nmg_ort_/);
    const mcp = await kit.mcp(body.access_token);
    expect(mcp.status).toBe(200);
    expect((await audit("oauth.grant")).at(-1)).toMatchObject({ username: "olga" });
  });

  test("the user may narrow to read-only; the token then carries read-only", async () => {
    const { tokens } = await kit.fullFlow("olga", PASSWORD, {
      decision: "approve",
      access: "read",
      scope_clusters: "all",
    });
    expect(tokens.body.scope).toBe("mcp:read");
    const [grant] = await srv.db.sql`select read_only from oauth_grants order by created_at desc limit 1`;
    expect(grant!.read_only).toBe(true);
  });

  test("a viewer is offered read-only only", async () => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("vera", PASSWORD);
    const path = await kit.consentPath(ui, kit.authorizeQuery(clientId, pkcePair().challenge));
    const page = await ui.page(path);
    expect(page.text).toContain("your roles allow reading only");
    expect(page.text).not.toContain('value="write"');
  });

  test("denying sends access_denied back to the client and issues nothing", async () => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("olga", PASSWORD);
    const back = await kit.decide(ui, await kit.consentPath(ui, kit.authorizeQuery(clientId, pkcePair().challenge)), {
      decision: "deny",
    });
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("code")).toBeNull();
    expect((await audit("oauth.deny")).length).toBeGreaterThan(0);
  });

  test("the consent form refuses a POST without the CSRF token, and a cross-site one", async () => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("olga", PASSWORD);
    const path = await kit.consentPath(ui, kit.authorizeQuery(clientId, pkcePair().challenge));
    await ui.page(path);
    const noCsrf = await ui.post(
      path,
      { decision: "approve", access: "write", scope_clusters: "all" },
      { csrf: false },
    );
    expect(noCsrf.status).toBe(403);
    const crossSite = await ui.post(path, { decision: "approve" }, { site: "cross-site" });
    expect(crossSite.status).toBe(403);
    // Still pending: the real user can answer.
    expect((await kit.decide(ui, path)).searchParams.get("code")).toMatch(/^nmg_oac_/);
  });

  test("a consent is answered once", async () => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("olga", PASSWORD);
    const path = await kit.consentPath(ui, kit.authorizeQuery(clientId, pkcePair().challenge));
    await kit.decide(ui, path);
    const again = await ui.post(path, { decision: "approve", access: "write", scope_clusters: "all" });
    expect(again.status).toBe(400);
  });

  test("an unregistered redirect_uri is never followed (no open redirect); loopback ports are ignored", async () => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("olga", PASSWORD);
    for (const evil of [
      "https://evil.example/steal",
      "http://127.0.0.1:33418/other",
      "http://evil.example:33418/callback",
    ]) {
      const res = await ui.request(kit.authorizeQuery(clientId, pkcePair().challenge, { redirect_uri: evil }));
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(await res.text()).toContain("not one this application registered");
    }
    const otherPort = await ui.request(
      kit.authorizeQuery(clientId, pkcePair().challenge, { redirect_uri: "http://127.0.0.1:50001/callback" }),
    );
    expect(otherPort.headers.get("location")).toMatch(/^\/oauth\/consent\//);
  });

  test("an unknown client gets an error page, not a redirect", async () => {
    const ui = await kit.browser("olga", PASSWORD);
    const res = await ui.request(kit.authorizeQuery("0".repeat(24), pkcePair().challenge));
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });

  test.each([
    [{ code_challenge_method: "plain" }, "invalid_request", "plain is not accepted"],
    [{ code_challenge_method: null }, "invalid_request", "S256"],
    [{ code_challenge: null }, "invalid_request", "code_challenge is required"],
    [{ response_type: "token" }, "unsupported_response_type", "code"],
    [{ resource: "https://other.example/mcp" }, "invalid_target", "not this gateway"],
  ])("bad request parameters go back to the client as errors: %j", async (extra, error, words) => {
    const clientId = await kit.clientId();
    const ui = await kit.browser("olga", PASSWORD);
    const res = await ui.request(kit.authorizeQuery(clientId, pkcePair().challenge, extra));
    expect(res.status).toBe(303);
    const back = new URL(res.headers.get("location")!);
    expect(back.origin + back.pathname).toBe(REDIRECT);
    expect(back.searchParams.get("error")).toBe(error);
    expect(back.searchParams.get("error_description")).toContain(words);
    expect(back.searchParams.get("state")).toBe("st-1");
  });
});

describe("token endpoint", () => {
  async function freshCode() {
    const clientId = await kit.clientId();
    const { verifier, challenge } = pkcePair();
    const ui = await kit.browser("olga", PASSWORD);
    const back = await kit.decide(ui, await kit.consentPath(ui, kit.authorizeQuery(clientId, challenge)));
    return { clientId, verifier, code: back.searchParams.get("code")! };
  }
  const exchange = (c: { clientId: string; verifier: string; code: string }, over: Record<string, string> = {}) =>
    kit.token({
      grant_type: "authorization_code",
      code: c.code,
      code_verifier: c.verifier,
      redirect_uri: REDIRECT,
      client_id: c.clientId,
      ...over,
    });

  test("an empty or wrong PKCE verifier is refused", async () => {
    const empty = await exchange(await freshCode(), { code_verifier: "" });
    expect(empty).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(empty.body.error_description).toContain("code_verifier is required");
    const wrong = await exchange(await freshCode(), { code_verifier: pkcePair().verifier });
    expect(wrong).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(wrong.body.error_description).toContain("does not match");
  });

  test("a redirect_uri mismatch is refused", async () => {
    const r = await exchange(await freshCode(), { redirect_uri: "http://127.0.0.1:33418/elsewhere" });
    expect(r).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(r.body.error_description).toContain("redirect_uri");
  });

  test("a code from another client is refused", async () => {
    const other = await kit.clientId("Other");
    const r = await exchange(await freshCode(), { client_id: other });
    expect(r).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  test("a replayed code is refused and the tokens issued from it are revoked", async () => {
    const c = await freshCode();
    const first = await exchange(c);
    expect(first.status).toBe(200);
    expect((await kit.mcp(first.body.access_token)).status).toBe(200);
    const replay = await exchange(c);
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(replay.body.error_description).toContain("used already");
    const after = await kit.mcp(first.body.access_token);
    expect(after.status).toBe(401);
    expect(((await after.json()) as any).error.message).toContain("OAuth access was revoked");
    expect(
      (await kit.token({ grant_type: "refresh_token", refresh_token: first.body.refresh_token, client_id: c.clientId }))
        .status,
    ).toBe(400);
    expect((await audit("oauth.code_replay")).length).toBeGreaterThan(0);
  });

  test("refresh tokens rotate; reusing an old one revokes the whole grant", async () => {
    const c = await freshCode();
    const first = await exchange(c);
    const second = await kit.token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token,
      client_id: c.clientId,
    });
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.body.refresh_token);
    expect((await kit.mcp(second.body.access_token)).status).toBe(200);
    const reuse = await kit.token({
      grant_type: "refresh_token",
      refresh_token: first.body.refresh_token,
      client_id: c.clientId,
    });
    expect(reuse).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    expect(reuse.body.error_description).toContain("whole grant was revoked");
    expect((await kit.mcp(second.body.access_token)).status).toBe(401);
    expect(
      (
        await kit.token({
          grant_type: "refresh_token",
          refresh_token: second.body.refresh_token,
          client_id: c.clientId,
        })
      ).status,
    ).toBe(400);
  });

  test("a token for another resource: refused at the token endpoint and at /mcp", async () => {
    const r = await exchange(await freshCode(), { resource: "https://other.example/mcp" });
    expect(r).toMatchObject({ status: 400, body: { error: "invalid_target" } });
    const ok = await exchange(await freshCode());
    const port = new URL(kit.apiOrigin).port;
    // Same listener, another name: the token's audience is https://127.0.0.1:<port>/mcp only.
    const res = await kit.mcp(ok.body.access_token, "/mcp", `localhost:${port}`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toContain("issued for");
  });

  test("plain errors for the wrong grant type, content type, duplicate parameters, client authentication", async () => {
    expect(await kit.token({ grant_type: "password" })).toMatchObject({
      status: 400,
      body: { error: "unsupported_grant_type" },
    });
    expect(await kit.token({})).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    expect(await kit.token({ grant_type: "authorization_code", code: "nmg_oac_nope" })).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    const json = await srv.fetchApi("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(json.status).toBe(400);
    const dup = await srv.fetchApi("/oauth/token", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=authorization_code&code=a&code=b",
    });
    expect(((await dup.json()) as any).error_description).toContain("more than once");
    expect((await kit.token({ grant_type: "authorization_code" }, { authorization: "Basic eDp5" })).status).toBe(401);
  });

  test("a disabled user's tokens stop working and cannot be refreshed", async () => {
    await createUser(
      srv.db.sql,
      cli,
      { username: "dora", password: PASSWORD, roles: ["operator"], clusters: "all" },
      { passwords: srv.server.services.passwords },
    );
    const { tokens, clientId } = await kit.fullFlow("dora", PASSWORD);
    expect((await kit.mcp(tokens.body.access_token)).status).toBe(200);
    await setUserActive(srv.db.sql, cli, "dora", false);
    const res = await kit.mcp(tokens.body.access_token);
    expect(res.status).toBe(401);
    expect(((await res.json()) as any).error.message).toContain("disabled");
    const refresh = await kit.token({
      grant_type: "refresh_token",
      refresh_token: tokens.body.refresh_token,
      client_id: clientId,
    });
    expect(refresh.status).toBe(400);
  });

  test("an expired access token is refused with a 401 that leads back to OAuth", async () => {
    const { tokens } = await kit.fullFlow("olga", PASSWORD);
    await srv.db.sql`update oauth_tokens set expires_at = now() - interval '1 second' where kind = 'access'`;
    const res = await kit.mcp(tokens.body.access_token);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toContain("resource_metadata=");
    expect(((await res.json()) as any).error.message).toContain("expired");
  });

  test("no code, token or verifier is stored or audited in clear", async () => {
    const { tokens, code, verifier } = await kit.fullFlow("olga", PASSWORD);
    const dump =
      (await srv.db.sql`select string_agg(t::text, ' ') as all from (select * from oauth_tokens) t`)[0]!.all +
      (await srv.db.sql`select string_agg(a::text, ' ') as all from audit_events a`)[0]!.all;
    for (const secret of [tokens.body.access_token, tokens.body.refresh_token, code, verifier]) {
      expect(dump).not.toContain(secret);
      expect(dump).not.toContain(secret.slice(-43));
    }
  });
});

describe("connected apps", () => {
  test("a user sees their grants and revokes one: its tokens stop working at once", async () => {
    const { tokens, ui } = await kit.fullFlow("olga", PASSWORD);
    expect((await kit.mcp(tokens.body.access_token)).status).toBe(200);
    const list = await ui.page("/apps");
    expect(list.res.status).toBe(200);
    expect(list.text).toContain("Test Assistant");
    expect(list.text).not.toContain("Everybody");
    const [grant] = await srv.db.sql<
      { id: string }[]
    >`select g.id from oauth_grants g join users u on u.id = g.user_id where u.username = 'olga' and g.revoked_at is null order by g.created_at desc limit 1`;
    const res = await ui.post(`/apps/${grant!.id}/revoke`, {});
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("was revoked");
    const after = await kit.mcp(tokens.body.access_token);
    expect(after.status).toBe(401);
    expect((await audit("oauth.revoke")).at(-1)).toMatchObject({ username: "olga" });
  });

  test("another user cannot revoke it; an administrator sees everybody's and can block a client", async () => {
    const { tokens, clientId } = await kit.fullFlow("olga", PASSWORD);
    const [grant] = await srv.db.sql<{ id: string }[]>`select id from oauth_grants where client_id = ${clientId}`;
    const vera = await kit.browser("vera", PASSWORD);
    await vera.page("/apps");
    expect((await vera.post(`/apps/${grant!.id}/revoke`, {})).status).toBe(403);
    expect((await kit.mcp(tokens.body.access_token)).status).toBe(200);
    const admin = await kit.browser("admin", PASSWORD);
    const page = await admin.page("/apps");
    expect(page.text).toContain("Everybody");
    expect(page.text).toContain("Registered applications");
    expect((await admin.post(`/apps/clients/${clientId}/revoke`, {})).status).toBe(200);
    expect((await kit.mcp(tokens.body.access_token)).status).toBe(401);
    // A blocked client cannot start a new sign-in either.
    const again = await admin.request(kit.authorizeQuery(clientId, pkcePair().challenge));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain("blocked");
  });
});

describe("console", () => {
  test("oauth list / revoke / clients / block", async () => {
    const { oauthCommands } = await import("../../app/cli/oauth.ts");
    const commands = oauthCommands();
    const out: string[] = [];
    const ctx = {
      env: {},
      out: (l: string) => out.push(l),
      err: (l: string) => out.push(`ERR ${l}`),
      config: () => srv.server.config,
      db: async () => srv.server.db,
      caller: () => cliCaller("ops"),
    };
    const { tokens, clientId } = await kit.fullFlow("olga", PASSWORD);
    expect(await commands["oauth list"]!(ctx as never, ["--user", "olga"])).toBe(0);
    const line = out.find((l) => l.includes("Test Assistant") && l.includes("active"))!;
    const grantId = line.split("\t")[0]!;
    expect(await commands["oauth revoke"]!(ctx as never, [grantId])).toBe(0);
    expect((await kit.mcp(tokens.body.access_token)).status).toBe(401);
    expect(await commands["oauth revoke"]!(ctx as never, [])).toBe(2);
    expect(await commands["oauth clients"]!(ctx as never, [])).toBe(0);
    expect(out.some((l) => l.startsWith(clientId))).toBe(true);
    expect(await commands["oauth block"]!(ctx as never, [clientId])).toBe(0);
    expect(out.at(-1)).toContain("blocked");
  });
});
