/**
 * Admission of every MCP request, before any body is read or any session is touched.
 *
 * Guarantees, in order: Host and Origin must be on the allow-list (403); a bearer credential
 * must resolve to an active user (401 with WWW-Authenticate) — the browser session cookie is
 * never looked at; the credential's rate limit holds (429 with Retry-After and a JSON-RPC error
 * the model can read; per node, in memory — policy/rate-limit.ts). A refusal for a real credential (revoked, expired, disabled user) and
 * every 429 leave an audit event (coalesced, audit-coalescer.ts); a credential that matches
 * nothing only reaches the operational log, so strangers cannot write into the audit log.
 */
import { createHash } from "node:crypto";
import type { Sql } from "postgres";
import type { AuditEventInput } from "../audit/audit-event.ts";
import type { Caller } from "../identity/caller.ts";
import { parseHost } from "../http/request-host.ts";
import { requestMeta } from "../http/request-meta.ts";
import type { Principal } from "../identity/principal.ts";
import { rateLimitRefusals } from "../metrics/metrics.ts";
import { audienceMatches, resourceMetadataUrl } from "../oauth/oauth-resource.ts";
import { isOAuthAccessToken } from "../oauth/oauth-token-format.ts";
import { RateLimiter } from "../policy/rate-limit.ts";
import type { AuditCoalescer } from "./audit-coalescer.ts";

/** What a bearer credential resolves to. Only a credential whose secret matched names its token. */
export type AuthOutcome =
  | { principal: Principal }
  | { failure: "invalid" }
  | {
      failure: "revoked" | "expired" | "inactive";
      tokenId: string | null;
      owner?: { userId: string; username: string; tokenName: string };
    };

export type Authenticate = (bearer: string, clientIp: string) => Promise<AuthOutcome>;

export interface AdmissionDeps {
  sql: Sql;
  authenticate: Authenticate;
  allowedHosts: ReadonlySet<string>;
  ratePerSec: number;
  rateBurst: number;
  coalescer: AuditCoalescer;
}

/** The MCP front door's Caller, plus the SHA-256 of the bearer (ties an SSE session to the credential that opened it). */
export type Admitted = Caller & { credential: string };

export interface Refused {
  refused: Response;
  /** Set when a bearer was presented (so its SSE sessions can be ended). */
  credential: string | null;
}

export function rpcError(
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

function hostOf(value: string): string {
  try {
    return new URL(value.includes("://") ? value : `https://${value}`).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return "";
  }
}

export const credentialKey = (p: Principal) => (p.token ? `token:${p.token.id}` : `user:${p.userId}`);

const WHY: Record<Exclude<AuthOutcome, { principal: Principal }>["failure"], string> = {
  invalid: "the API token is invalid",
  revoked: "the API token was revoked",
  expired: "the API token has expired",
  inactive: "the API token's user is disabled",
};
const WHY_OAUTH: typeof WHY = {
  invalid: "the OAuth access token is invalid",
  revoked: "the OAuth access was revoked",
  expired: "the OAuth access token has expired",
  inactive: "the OAuth access token's user is disabled",
};

export function createAdmission(deps: AdmissionDeps) {
  const limiter = new RateLimiter(deps.ratePerSec, deps.rateBurst);
  return async function admit(request: Request): Promise<Admitted | Refused> {
    const host = parseHost(request.headers.get("host"))?.hostname ?? "";
    const origin = request.headers.get("origin");
    if (!deps.allowedHosts.has(host) || (origin && !deps.allowedHosts.has(hostOf(origin)))) {
      return {
        refused: rpcError(
          403,
          -32000,
          "forbidden: Host or Origin is not one this gateway serves; add it to PUBLIC_HOSTNAMES",
        ),
        credential: null,
      };
    }
    const { clientIp, requestId } = requestMeta(request);
    const userAgent = request.headers.get("user-agent");
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1];
    const challenge = { host: request.headers.get("host") ?? "", path: new URL(request.url).pathname };
    if (!bearer)
      return {
        refused: unauthorized(
          "an API token (Authorization: Bearer nmg_…) or an OAuth sign-in is required",
          false,
          challenge,
        ),
        credential: null,
      };
    const credential = createHash("sha256").update(bearer).digest("hex");

    const outcome = await deps.authenticate(bearer, clientIp);
    if (!("principal" in outcome)) {
      const why = (isOAuthAccessToken(bearer) ? WHY_OAUTH : WHY)[outcome.failure];
      if (outcome.failure !== "invalid") {
        deps.coalescer.record(`auth:${credential}`, {
          action: "mcp.auth",
          status: "denied",
          decision: "deny",
          reason: why,
          requestId,
          actor: {
            via: "mcp",
            clientIp,
            userAgent,
            userId: outcome.owner?.userId ?? null,
            username: outcome.owner?.username ?? null,
            tokenName: outcome.owner?.tokenName ?? null,
          },
          target: { resourceType: "api_token", resourceId: outcome.tokenId },
          details: { path: new URL(request.url).pathname },
        });
      }
      return { refused: unauthorized(why, true, challenge), credential };
    }
    const { principal } = outcome;
    // RFC 8707: an OAuth token is only good for the resource it was issued for.
    if (principal.token?.audience && !audienceMatches(principal.token.audience, challenge.host)) {
      return {
        refused: unauthorized(
          `the OAuth access token was issued for ${principal.token.audience}, not this address`,
          true,
          challenge,
        ),
        credential,
      };
    }
    const caller: Caller = {
      principal,
      actor: { ip: clientIp, userAgent, via: "mcp", tokenName: principal.token?.name ?? null },
      requestId,
      now: new Date(),
    };
    const rate = limiter.take(credentialKey(principal));
    if (!rate.allowed) {
      rateLimitRefusals.inc();
      const reason = `rate limit: more than ${deps.ratePerSec} requests per second with this token; wait ${rate.retryAfterSeconds} s and retry`;
      const event: AuditEventInput = {
        action: "mcp.rate_limit",
        status: "denied",
        decision: "deny",
        reason,
        caller,
        details: { path: new URL(request.url).pathname },
      };
      deps.coalescer.record(`rate:${credentialKey(principal)}`, event);
      return { refused: rpcError(429, -32029, reason, { "retry-after": String(rate.retryAfterSeconds) }), credential };
    }
    return { ...caller, credential };
  };
}

/** 401 with the plain-language reason, and the RFC 9728 pointer OAuth clients start from. */
function unauthorized(why: string, presented: boolean, at: { host: string; path: string }): Response {
  return rpcError(
    401,
    -32001,
    `unauthorized: ${why}; connect with OAuth (your client opens the gateway's sign-in page), or create a token in the gateway UI or with: bun run cli token create`,
    {
      "www-authenticate": `Bearer realm="nexus-mcp-gateway", resource_metadata="${resourceMetadataUrl(at.host, at.path)}"${presented ? ', error="invalid_token"' : ""}`,
    },
  );
}
