/**
 * OAuth endpoints on the API listener: discovery documents, Dynamic Client Registration and the
 * token endpoint. (The authorization endpoint is on the UI listener: app/ui/oauth.routes.ts.)
 *
 * Guarantees: the Host (and Origin, when sent) must be one this gateway serves, as for MCP
 * (403 otherwise), so metadata never names a host an attacker chose; request bodies are bounded
 * (16 KiB) and read as the spec says (JSON for registration, form for tokens); registration and
 * token requests are rate-limited per client address and node, in memory like MCP's limit
 * (429 with Retry-After); every refusal is
 * an RFC 6749/7591 JSON error with a description; responses are never cached.
 */
import { Elysia } from "elysia";
import type { Sql } from "../identity/db-handle.ts";
import { requestMeta } from "../http/request-meta.ts";
import { RateLimiter } from "../policy/rate-limit.ts";
import { registerClient } from "./oauth-clients.ts";
import { OAuthError, oauthErrorResponse } from "./oauth-errors.ts";
import { authorizationServerMetadata, protectedResourceMetadata } from "./oauth-metadata.ts";
import { hostnameOf, type GatewayNames } from "./oauth-resource.ts";
import { exchangeCode, refreshTokens } from "./oauth-tokens.ts";

export interface OAuthRouteDeps {
  sql: Sql;
  names: GatewayNames;
  /** Registrations per client address: rate per second and burst. */
  registerRate?: { perSec: number; burst: number };
  tokenRate?: { perSec: number; burst: number };
}

const MAX_BODY = 16 * 1024;

async function readBody(request: Request): Promise<string> {
  if (Number(request.headers.get("content-length") ?? "0") > MAX_BODY)
    throw new OAuthError("invalid_request", `the request body is larger than ${MAX_BODY} bytes`, 413);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (let c = await reader.read(); !c.done; c = await reader.read()) {
      size += c.value.byteLength;
      if (size > MAX_BODY) {
        await reader.cancel().catch(() => {});
        throw new OAuthError("invalid_request", `the request body is larger than ${MAX_BODY} bytes`, 413);
      }
      chunks.push(c.value);
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

export function oauthRoutes(deps: OAuthRouteDeps) {
  const registerRate = deps.registerRate ?? { perSec: 10 / 60, burst: 10 };
  const tokenRate = deps.tokenRate ?? { perSec: 2, burst: 30 };
  const limiters = {
    registration: new RateLimiter(registerRate.perSec, registerRate.burst),
    token: new RateLimiter(tokenRate.perSec, tokenRate.burst),
  };

  /** The host name the client used, if this gateway serves it. */
  function servedHost(request: Request): string {
    const hostname = hostnameOf(request.headers.get("host") ?? "");
    const origin = request.headers.get("origin");
    const originHost = origin ? hostnameOf(origin.replace(/^https?:\/\//i, "")) : null;
    if (!deps.names.allowedHosts.has(hostname) || (originHost !== null && !deps.names.allowedHosts.has(originHost))) {
      throw new OAuthError(
        "invalid_request",
        "Host or Origin is not one this gateway serves; add it to PUBLIC_HOSTNAMES",
        403,
      );
    }
    return hostname;
  }

  async function limit(request: Request, kind: keyof typeof limiters): Promise<void> {
    const { clientIp } = requestMeta(request);
    const decision = limiters[kind].take(clientIp);
    if (!decision.allowed) {
      throw new OAuthError(
        "slow_down",
        `too many ${kind} requests from this address; wait ${decision.retryAfterSeconds} s and retry`,
        429,
        { "retry-after": String(decision.retryAfterSeconds) },
      );
    }
  }

  const guarded = (fn: (request: Request) => Promise<Response> | Response) => async (ctx: { [k: string]: any }) => {
    const request = ctx.request as Request;
    try {
      return await fn(request);
    } catch (err) {
      if (err instanceof OAuthError) return oauthErrorResponse(err);
      throw err;
    }
  };

  const prm = guarded((request) => Response.json(protectedResourceMetadata(deps.names, servedHost(request))));
  const asm = guarded((request) => Response.json(authorizationServerMetadata(deps.names, servedHost(request))));

  const register = guarded(async (request) => {
    servedHost(request);
    await limit(request, "registration");
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
      throw new OAuthError("invalid_client_metadata", "send the registration as application/json (RFC 7591)");
    }
    let body: unknown;
    try {
      body = JSON.parse(await readBody(request));
    } catch (err) {
      if (err instanceof OAuthError) throw err;
      throw new OAuthError("invalid_client_metadata", "the registration body is not valid JSON");
    }
    const { clientIp, requestId } = requestMeta(request);
    const registration = await registerClient(deps.sql, body, {
      clientIp,
      userAgent: request.headers.get("user-agent"),
      requestId,
    });
    return Response.json(registration, { status: 201 });
  });

  const token = guarded(async (request) => {
    servedHost(request);
    await limit(request, "token");
    if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
      throw new OAuthError(
        "invalid_request",
        "send the token request as application/x-www-form-urlencoded (RFC 6749 §4.1.3)",
      );
    }
    const form = new URLSearchParams(await readBody(request));
    for (const key of new Set(form.keys())) {
      if (form.getAll(key).length > 1)
        throw new OAuthError("invalid_request", `the parameter ${key} appears more than once`);
    }
    if (request.headers.get("authorization"))
      throw new OAuthError(
        "invalid_client",
        "this server has public clients only; send client_id in the body and no Authorization header",
        401,
      );
    const { clientIp, requestId } = requestMeta(request);
    const ctx = { names: deps.names, clientIp, userAgent: request.headers.get("user-agent"), requestId };
    const grantType = form.get("grant_type");
    const tokens =
      grantType === "authorization_code"
        ? await exchangeCode(deps.sql, form, ctx)
        : grantType === "refresh_token"
          ? await refreshTokens(deps.sql, form, ctx)
          : (() => {
              throw new OAuthError(
                grantType ? "unsupported_grant_type" : "invalid_request",
                grantType
                  ? `grant_type ${grantType} is not supported; use authorization_code or refresh_token`
                  : "grant_type is required",
              );
            })();
    return Response.json(tokens, { headers: { "cache-control": "no-store", pragma: "no-cache" } });
  });

  let app: Elysia<any, any, any, any, any, any, any> = new Elysia({ name: "oauth" });
  for (const suffix of ["", "/mcp", "/mcp/sse"]) {
    app = app
      .get(`/.well-known/oauth-protected-resource${suffix}`, prm)
      .get(`/.well-known/oauth-authorization-server${suffix}`, asm)
      .get(`/.well-known/openid-configuration${suffix}`, asm);
  }
  return app
    .get("/mcp/.well-known/openid-configuration", asm)
    .post("/oauth/register", register, { parse: "none" })
    .post("/oauth/token", token, { parse: "none" });
}
