/**
 * The token endpoint's grants and the access-token check MCP admission uses.
 *
 * Guarantees: authorization_code needs the code, its client_id, the exact redirect_uri of the
 * request and a PKCE verifier whose S256 is the challenge (empty or wrong = refused); a code
 * works once and for 2 minutes — a second use is treated as theft: the grant and every token
 * issued from it are revoked. Refresh tokens rotate on every use; presenting a used one revokes
 * the whole grant (RFC 9700 §4.14). Access tokens live 1 hour, are opaque, stored hashed and
 * bound to the grant's resource (a `resource` naming anything else is `invalid_target`). A
 * token resolves to its user's principal narrowed by the grant (read-only, clusters) — the same
 * narrowing API tokens get — and to nothing once the grant, the client or the user is revoked or
 * disabled. Every issue and every refusal that revokes something is audited; no code, token or
 * verifier is ever written to the audit log or an error.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { narrow } from "../identity/api-tokens.ts";
import type { Sql } from "../identity/db-handle.ts";
import type { Principal } from "../identity/principal.ts";
import { loadPrincipal } from "../identity/principal-loader.ts";
import { secretMatches } from "../identity/secret-tokens.ts";
import { OAuthError } from "./oauth-errors.ts";
import { acceptResource, type GatewayNames } from "./oauth-resource.ts";
import { newOAuthToken, parseOAuthToken, type OAuthTokenKind } from "./oauth-token-format.ts";
import {
  expireGrantTokens,
  findTokenForVerification,
  insertToken,
  markTokenUsed,
  revokeGrantRow,
  touchGrant,
  type OAuthTokenVerification,
} from "./oauth.sql.ts";
import { verifierMatches } from "./pkce.ts";

export const ACCESS_TTL_MS = 60 * 60_000;
export const REFRESH_TTL_MS = 30 * 86_400_000;
const TOUCH_INTERVAL_MS = 60_000;

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  refresh_token: string;
  scope: string;
}

export interface TokenRequestContext {
  names: GatewayNames;
  clientIp: string | null;
  userAgent: string | null;
  requestId: string;
  now?: Date;
}

const invalidGrant = (why: string) => new OAuthError("invalid_grant", why);

async function presented(
  sql: Sql,
  value: string | null,
  kind: OAuthTokenKind,
  label: string,
): Promise<OAuthTokenVerification> {
  if (!value) throw new OAuthError("invalid_request", `${label} is required`);
  const parts = parseOAuthToken(value);
  const row = parts && parts.kind === kind ? await findTokenForVerification(sql, parts.id) : null;
  if (!row || row.kind !== kind || !secretMatches(parts!.secret, row.secretHash))
    throw invalidGrant(`the ${label} is not valid; sign in again`);
  return row;
}

function checkClient(row: OAuthTokenVerification, clientId: string | null): void {
  if (!clientId)
    throw new OAuthError(
      "invalid_request",
      "client_id is required (public clients identify themselves in the token request)",
    );
  if (clientId !== row.clientId) throw invalidGrant("this was issued to another client");
}

function checkResource(names: GatewayNames, row: OAuthTokenVerification, resource: string | null): void {
  if (resource === null) return;
  if (acceptResource(names, resource) !== row.resource)
    throw new OAuthError("invalid_target", `tokens of this grant are for ${row.resource}, not ${resource}`);
}

function scopeOf(row: Pick<OAuthTokenVerification, "readOnly">): string {
  return row.readOnly ? "mcp:read" : "mcp:read mcp:write";
}

async function revokeForTheft(
  sql: Sql,
  row: OAuthTokenVerification,
  reason: string,
  ctx: TokenRequestContext,
  action: "oauth.code_replay" | "oauth.refresh_reuse",
): Promise<void> {
  const now = ctx.now ?? new Date();
  await sql.begin(async (tx) => {
    await revokeGrantRow(tx, row.grantId, now, reason);
    await expireGrantTokens(tx, row.grantId, now);
    await recordAudit(tx, {
      action,
      status: "denied",
      decision: "deny",
      reason,
      requestId: ctx.requestId,
      actor: {
        userId: row.userId,
        username: row.username,
        via: "mcp",
        tokenName: row.clientName,
        clientIp: ctx.clientIp,
        userAgent: ctx.userAgent,
      },
      target: { resourceType: "oauth_grant", resourceId: row.grantId },
      details: { clientId: row.clientId, clientName: row.clientName },
    });
  });
}

async function issue(
  sql: Sql,
  row: OAuthTokenVerification,
  grantType: string,
  ctx: TokenRequestContext,
): Promise<TokenResponse> {
  const now = ctx.now ?? new Date();
  const owner = await loadPrincipal(sql, row.userId, "token");
  if (!owner?.active) throw invalidGrant(`the user ${row.username} is disabled`);
  const access = newOAuthToken("access");
  const refresh = newOAuthToken("refresh");
  await sql.begin(async (tx) => {
    await insertToken(tx, {
      id: access.id,
      grantId: row.grantId,
      kind: "access",
      secretHash: access.secretHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + ACCESS_TTL_MS),
    });
    await insertToken(tx, {
      id: refresh.id,
      grantId: row.grantId,
      kind: "refresh",
      secretHash: refresh.secretHash,
      createdAt: now,
      expiresAt: new Date(now.getTime() + REFRESH_TTL_MS),
    });
    await recordAudit(tx, {
      action: "oauth.token",
      status: "ok",
      requestId: ctx.requestId,
      actor: {
        userId: row.userId,
        username: row.username,
        via: "mcp",
        tokenName: row.clientName,
        clientIp: ctx.clientIp,
        userAgent: ctx.userAgent,
      },
      target: { resourceType: "oauth_grant", resourceId: row.grantId },
      details: { grantType, clientId: row.clientId, clientName: row.clientName },
    });
  });
  return {
    access_token: access.token,
    token_type: "Bearer",
    expires_in: ACCESS_TTL_MS / 1000,
    refresh_token: refresh.token,
    scope: scopeOf(row),
  };
}

function live(row: OAuthTokenVerification, now: Date, what: string): void {
  if (row.grantRevokedAt || row.clientRevokedAt)
    throw invalidGrant(`access was revoked (in the gateway: My account → Connected apps); sign in again`);
  if (row.expiresAt.getTime() <= now.getTime()) throw invalidGrant(`the ${what} has expired; sign in again`);
}

export async function exchangeCode(sql: Sql, form: URLSearchParams, ctx: TokenRequestContext): Promise<TokenResponse> {
  const now = ctx.now ?? new Date();
  const row = await presented(sql, form.get("code"), "code", "authorization code");
  checkClient(row, form.get("client_id"));
  if (!(await markTokenUsed(sql, row.id, now))) {
    await revokeForTheft(sql, row, "authorization code used twice", ctx, "oauth.code_replay");
    throw invalidGrant("this authorization code was used already; every token issued from it has been revoked");
  }
  live(row, now, "authorization code");
  if (form.get("redirect_uri") !== row.redirectUri)
    throw invalidGrant("redirect_uri differs from the one in the authorization request");
  const verifier = form.get("code_verifier");
  if (!verifier) throw new OAuthError("invalid_request", "code_verifier is required (PKCE)");
  if (!verifierMatches(verifier, row.codeChallenge!))
    throw invalidGrant("the code_verifier does not match the code_challenge (PKCE S256)");
  checkResource(ctx.names, row, form.get("resource"));
  return issue(sql, row, "authorization_code", ctx);
}

export async function refreshTokens(sql: Sql, form: URLSearchParams, ctx: TokenRequestContext): Promise<TokenResponse> {
  const now = ctx.now ?? new Date();
  const row = await presented(sql, form.get("refresh_token"), "refresh", "refresh token");
  checkClient(row, form.get("client_id"));
  live(row, now, "refresh token");
  if (!(await markTokenUsed(sql, row.id, now))) {
    await revokeForTheft(sql, row, "refresh token used twice", ctx, "oauth.refresh_reuse");
    throw invalidGrant(
      "this refresh token was used already, so it may have been stolen: the whole grant was revoked; sign in again",
    );
  }
  checkResource(ctx.names, row, form.get("resource"));
  return issue(sql, row, "refresh_token", ctx);
}

export type AccessCheck =
  | { principal: Principal }
  | { failure: "unknown" }
  | {
      failure: "revoked" | "expired" | "inactive";
      grantId: string;
      owner: { userId: string; username: string; clientName: string };
    };

/** The principal of an OAuth access token, or why there is none (mcp admission maps it). */
export async function checkAccessToken(
  sql: Sql,
  bearer: string,
  use: { clientIp?: string | null; now?: Date } = {},
): Promise<AccessCheck> {
  const parts = parseOAuthToken(bearer);
  if (!parts || parts.kind !== "access") return { failure: "unknown" };
  const row = await findTokenForVerification(sql, parts.id);
  if (!row || row.kind !== "access" || !secretMatches(parts.secret, row.secretHash)) return { failure: "unknown" };
  const now = use.now ?? new Date();
  const known = {
    grantId: row.grantId,
    owner: { userId: row.userId, username: row.username, clientName: row.clientName },
  };
  if (row.grantRevokedAt || row.clientRevokedAt) return { failure: "revoked", ...known };
  if (row.expiresAt.getTime() <= now.getTime()) return { failure: "expired", ...known };
  const owner = await loadPrincipal(sql, row.userId, "token");
  if (!owner?.active) return { failure: "inactive", ...known };
  if (!row.grantLastUsedAt || now.getTime() - row.grantLastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    await touchGrant(sql, row.grantId, now, use.clientIp ?? null, new Date(now.getTime() - TOUCH_INTERVAL_MS));
  }
  const narrowed = narrow(owner, {
    id: row.grantId,
    name: row.clientName,
    readOnly: row.readOnly,
    clusters: row.clusters,
  });
  return { principal: { ...narrowed, token: { ...narrowed.token!, kind: "oauth", audience: row.resource } } };
}
