/**
 * The authorization endpoint's domain side: checking an authorization request, holding it while
 * the user signs in, and the user's decision.
 *
 * Guarantees: a request with an unknown or revoked client, or a redirect_uri that is not one the
 * client registered (loopback: any port), is never redirected anywhere — the user sees an error
 * page (no open redirect); every other problem (response type, PKCE other than S256, resource
 * that is not this gateway) goes back to the client as an RFC 6749 error on its redirect URI;
 * a pending request lives 10 minutes and is decided once; the consent may only narrow: read-only
 * if the client asked only to read or the user cannot write, and only clusters the user may
 * use; approving issues a 2-minute single-use code bound to the redirect URI, the PKCE challenge
 * and the grant; approval and denial are audited with the client's name and redirect URI.
 */
import { recordAudit } from "../audit/audit-log.ts";
import type { Caller } from "../identity/caller.ts";
import { listClusters } from "../clusters/clusters.ts";
import { Forbidden, Invalid, NotFound } from "../errors.ts";
import { authorize } from "../identity/authorize.ts";
import type { Sql } from "../identity/db-handle.ts";
import type { Principal } from "../identity/principal.ts";
import { randomSessionId, randomTokenId } from "../identity/secret-tokens.ts";
import { challengeProblem } from "./pkce.ts";
import { acceptResource, hostnameOf, resourceFor, type GatewayNames } from "./oauth-resource.ts";
import { newOAuthToken } from "./oauth-token-format.ts";
import {
  decideRequestRow,
  findClient,
  findRequest,
  insertGrant,
  insertRequest,
  insertToken,
  pruneRequests,
  type OAuthClientRow,
  type OAuthRequestRow,
} from "./oauth.sql.ts";
import { findRegistered } from "./redirect-uri.ts";

export const REQUEST_TTL_MS = 10 * 60_000;
export const CODE_TTL_MS = 2 * 60_000;
export const SCOPES = ["mcp:read", "mcp:write"] as const;

/** The user sees this page instead (the request cannot safely go back to the client). */
export class AuthorizationPageError extends Invalid {}

export type AuthorizationStart =
  | { requestId: string }
  /** Back to the client with an error (its redirect URI is known to be registered). */
  | { redirect: string };

/** Adds the RFC 6749 §4.1.2 response parameters (and RFC 9207 `iss`) to a redirect URI. */
export function clientRedirect(redirectUri: string, params: Record<string, string | null>): string {
  const u = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
  return u.toString();
}

function issuerOfResource(resource: string): string {
  return new URL(resource).origin;
}

export async function startAuthorization(
  sql: Sql,
  names: GatewayNames,
  hostHeader: string,
  q: URLSearchParams,
  now = new Date(),
): Promise<AuthorizationStart> {
  const one = (k: string) => {
    const all = q.getAll(k);
    if (all.length > 1) throw new AuthorizationPageError(`the parameter ${k} appears more than once`);
    return all[0] ?? null;
  };
  const clientId = one("client_id");
  if (!clientId) throw new AuthorizationPageError("client_id is missing: the application did not say who it is");
  const client = await findClient(sql, clientId);
  if (!client)
    throw new AuthorizationPageError(
      "this application is not registered with the gateway (unknown client_id); let it register again",
    );
  if (client.revokedAt)
    throw new AuthorizationPageError(`the application "${client.clientName}" was blocked by an administrator`);
  const redirectUri = one("redirect_uri") ?? (client.redirectUris.length === 1 ? client.redirectUris[0]! : null);
  if (!redirectUri) throw new AuthorizationPageError("redirect_uri is missing and the application registered several");
  if (!findRegistered(redirectUri, client.redirectUris)) {
    throw new AuthorizationPageError(
      "the redirect_uri is not one this application registered; the gateway will not send you there",
    );
  }
  if (!names.allowedHosts.has(hostnameOf(hostHeader)))
    throw new AuthorizationPageError(
      "this gateway is not known by the name in the address bar; use one in PUBLIC_HOSTNAMES",
    );
  const state = one("state");
  const fallbackIssuer = new URL(resourceFor(names, hostnameOf(hostHeader))).origin;
  const back = (error: string, description: string) => ({
    redirect: clientRedirect(redirectUri, { error, error_description: description, state, iss: fallbackIssuer }),
  });
  if (state && state.length > 1024) return back("invalid_request", "state is longer than 1024 characters");
  if (one("response_type") !== "code") return back("unsupported_response_type", "response_type must be code");
  const pkce = challengeProblem(one("code_challenge"), one("code_challenge_method"));
  if (pkce) return back("invalid_request", pkce);
  const resourceParam = one("resource");
  const resource =
    resourceParam === null ? resourceFor(names, hostnameOf(hostHeader)) : acceptResource(names, resourceParam);
  if (!resource) return back("invalid_target", `resource ${resourceParam} is not this gateway's MCP endpoint`);
  const scopes = (one("scope") ?? "").split(" ").filter(Boolean);
  const wantsWrite = scopes.length === 0 || scopes.includes("mcp:write");
  const id = randomSessionId();
  await pruneRequests(sql, new Date(now.getTime() - 86_400_000));
  await insertRequest(sql, {
    id,
    clientId: client.id,
    redirectUri,
    codeChallenge: one("code_challenge")!,
    state,
    wantsWrite,
    resource,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REQUEST_TTL_MS),
  });
  return { requestId: id };
}

export interface ConsentProps {
  requestId: string;
  clientName: string;
  clientUri: string | null;
  redirectUri: string;
  /** The client asked to write, and the user may. */
  writeOffered: boolean;
  /** The user may write but the client asked only to read, or the user may only read. */
  writeRefusedBecause: string | null;
  clusters: { id: string; name: string }[];
  registeredAt: Date;
}

async function pending(
  sql: Sql,
  requestId: string,
  now: Date,
): Promise<{ request: OAuthRequestRow; client: OAuthClientRow }> {
  const request = await findRequest(sql, requestId);
  if (!request) throw new NotFound("this sign-in request does not exist; start again from the application");
  if (request.decidedAt)
    throw new Invalid("this sign-in request was answered already; start again from the application if you need to");
  if (request.expiresAt.getTime() <= now.getTime())
    throw new Invalid("this sign-in request has expired (10 minutes); start again from the application");
  const client = await findClient(sql, request.clientId);
  if (!client || client.revokedAt) throw new Forbidden("this application was blocked by an administrator");
  return { request, client };
}

function requireMcp(p: Principal): void {
  const d = authorize(p, "mcp:read");
  if (!d.allowed) throw new Forbidden(`your roles do not allow MCP access, so there is nothing to grant (${d.reason})`);
}

async function usableClusters(sql: Sql, p: Principal) {
  const all = await listClusters(sql);
  return all
    .filter((c) => p.clusterAccess === "all" || p.clusterAccess.includes(c.id))
    .map((c) => ({ id: c.id, name: c.name }));
}

export async function consentFor(sql: Sql, requestId: string, p: Principal, now = new Date()): Promise<ConsentProps> {
  const { request, client } = await pending(sql, requestId, now);
  requireMcp(p);
  const userCanWrite = p.permissions.has("mcp:write");
  return {
    requestId,
    clientName: client.clientName,
    clientUri: client.clientUri,
    redirectUri: request.redirectUri,
    registeredAt: client.createdAt,
    writeOffered: request.wantsWrite && userCanWrite,
    writeRefusedBecause: !request.wantsWrite
      ? "the application asked only to read"
      : !userCanWrite
        ? "your roles allow reading only"
        : null,
    clusters: await usableClusters(sql, p),
  };
}

export interface ConsentDecision {
  approve: boolean;
  readOnly: boolean;
  /** null = every cluster the user may use. */
  clusters: string[] | null;
}

/** Records the user's answer; returns where the browser goes next (the client's redirect URI). */
export async function decideAuthorization(
  sql: Sql,
  caller: Caller,
  requestId: string,
  d: ConsentDecision,
): Promise<{ location: string; clientName: string }> {
  const now = caller.now;
  const { client } = await pending(sql, requestId, now);
  const p = caller.principal;
  if (d.approve) requireMcp(p);
  const userCanWrite = p.permissions.has("mcp:write");
  let clusters: string[] | null = null;
  if (d.approve && d.clusters) {
    const usable = new Set((await usableClusters(sql, p)).map((c) => c.id));
    const outside = d.clusters.filter((c) => !usable.has(c));
    if (outside.length) throw new Invalid(`you have no access to cluster(s) ${outside.join(", ")}`);
    if (d.clusters.length === 0) throw new Invalid("choose at least one cluster, or all of them");
    clusters = [...new Set(d.clusters)].sort();
  }
  return sql.begin(async (tx) => {
    const request = await decideRequestRow(tx, requestId, now);
    if (!request)
      throw new Invalid("this sign-in request was answered already or has expired; start again from the application");
    const iss = issuerOfResource(request.resource);
    const audit = { caller, target: { resourceType: "oauth_client", resourceId: client.id } };
    if (!d.approve) {
      await recordAudit(tx, {
        ...audit,
        action: "oauth.deny",
        status: "ok",
        details: { clientName: client.clientName, redirectUri: request.redirectUri },
      });
      return {
        clientName: client.clientName,
        location: clientRedirect(request.redirectUri, {
          error: "access_denied",
          error_description: `${p.username} declined the request`,
          state: request.state,
          iss,
        }),
      };
    }
    const readOnly = d.readOnly || !request.wantsWrite || !userCanWrite;
    const grantId = randomTokenId();
    await insertGrant(tx, {
      id: grantId,
      userId: p.userId,
      clientId: client.id,
      readOnly,
      clusters,
      resource: request.resource,
      createdAt: now,
    });
    const code = newOAuthToken("code");
    await insertToken(tx, {
      id: code.id,
      grantId,
      kind: "code",
      secretHash: code.secretHash,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      createdAt: now,
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
    });
    await recordAudit(tx, {
      ...audit,
      action: "oauth.grant",
      status: "ok",
      target: { resourceType: "oauth_grant", resourceId: grantId },
      details: {
        clientId: client.id,
        clientName: client.clientName,
        redirectUri: request.redirectUri,
        readOnly,
        clusters,
        resource: request.resource,
      },
    });
    return {
      clientName: client.clientName,
      location: clientRedirect(request.redirectUri, { code: code.token, state: request.state, iss }),
    };
  });
}
