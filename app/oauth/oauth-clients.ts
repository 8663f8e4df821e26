/**
 * OAuth clients: Dynamic Client Registration (RFC 7591) of public clients, listing and
 * revocation by administrators.
 *
 * Guarantees: registration accepts public clients only (`token_endpoint_auth_method` none; PKCE
 * is their proof); every redirect URI passes redirect-uri.ts (https or loopback http, no
 * fragment, bounded), at most five of them; the name and other strings are bounded and printable;
 * grant and response types are limited to authorization_code/refresh_token and code. A
 * registration grants nothing by itself: a user still has to consent. Registration and
 * revocation are audited; revoking a client ends all of its grants.
 */
import { recordAudit } from "../audit/audit-log.ts";
import type { Caller } from "../identity/caller.ts";
import { requirePermission } from "../identity/authorize.ts";
import type { Sql } from "../identity/db-handle.ts";
import { Conflict, NotFound } from "../errors.ts";
import { randomTokenId } from "../identity/secret-tokens.ts";
import { OAuthError } from "./oauth-errors.ts";
import {
  expireClientTokens,
  findClient,
  insertClient,
  listClientRows,
  revokeClientRow,
  type OAuthClientRow,
} from "./oauth.sql.ts";
import { MAX_REDIRECT_URIS, redirectUriProblem } from "./redirect-uri.ts";

export type { OAuthClientRow };

const PRINTABLE = /^[^\u0000-\u001f\u007f]*$/;
const GRANT_TYPES = new Set(["authorization_code", "refresh_token"]);

export interface Registration {
  client_id: string;
  client_id_issued_at: number;
  client_name: string;
  redirect_uris: string[];
  grant_types: string[];
  response_types: string[];
  token_endpoint_auth_method: "none";
  client_uri?: string;
  software_id?: string;
  software_version?: string;
}

function text(meta: Record<string, unknown>, key: string, max: number): string | null {
  const v = meta[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== "string" || v.length > max || !PRINTABLE.test(v))
    throw new OAuthError("invalid_client_metadata", `${key} must be a printable string of at most ${max} characters`);
  return v.trim() || null;
}

function stringList(meta: Record<string, unknown>, key: string): string[] | null {
  const v = meta[key];
  if (v === undefined || v === null) return null;
  if (!Array.isArray(v) || v.some((x) => typeof x !== "string"))
    throw new OAuthError("invalid_client_metadata", `${key} must be an array of strings`);
  return v as string[];
}

/** Validates a registration request body (already parsed JSON). Pure. */
export function validateClientMetadata(
  body: unknown,
): Omit<OAuthClientRow, "id" | "createdAt" | "createdIp" | "revokedAt"> {
  if (!body || typeof body !== "object" || Array.isArray(body))
    throw new OAuthError("invalid_client_metadata", "the registration body must be a JSON object");
  const meta = body as Record<string, unknown>;
  const uris = stringList(meta, "redirect_uris");
  if (!uris || uris.length === 0)
    throw new OAuthError(
      "invalid_redirect_uri",
      "redirect_uris is required: name the https or loopback http URI(s) the user returns to",
    );
  if (uris.length > MAX_REDIRECT_URIS)
    throw new OAuthError("invalid_redirect_uri", `at most ${MAX_REDIRECT_URIS} redirect URIs may be registered`);
  for (const uri of uris) {
    const problem = redirectUriProblem(uri);
    if (problem) throw new OAuthError("invalid_redirect_uri", problem);
  }
  const method = meta.token_endpoint_auth_method;
  if (method !== undefined && method !== "none") {
    throw new OAuthError(
      "invalid_client_metadata",
      `token_endpoint_auth_method ${String(method)} is not supported: this server registers public clients only (none, with PKCE)`,
    );
  }
  const grants = stringList(meta, "grant_types");
  const unsupported = grants?.filter((g) => !GRANT_TYPES.has(g)) ?? [];
  if (unsupported.length)
    throw new OAuthError(
      "invalid_client_metadata",
      `grant type(s) ${unsupported.join(", ")} are not supported; use authorization_code and refresh_token`,
    );
  const responses = stringList(meta, "response_types");
  if (responses && responses.some((r) => r !== "code"))
    throw new OAuthError("invalid_client_metadata", "only the response type code is supported");
  const clientUri = text(meta, "client_uri", 512);
  if (clientUri && !/^https:\/\//i.test(clientUri))
    throw new OAuthError("invalid_client_metadata", "client_uri must be an https URL");
  return {
    clientName: text(meta, "client_name", 100) ?? "Unnamed client",
    redirectUris: [...new Set(uris)],
    clientUri,
    softwareId: text(meta, "software_id", 200),
    softwareVersion: text(meta, "software_version", 100),
  };
}

export function registrationOf(c: OAuthClientRow): Registration {
  return {
    client_id: c.id,
    client_id_issued_at: Math.floor(c.createdAt.getTime() / 1000),
    client_name: c.clientName,
    redirect_uris: c.redirectUris,
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "none",
    ...(c.clientUri ? { client_uri: c.clientUri } : {}),
    ...(c.softwareId ? { software_id: c.softwareId } : {}),
    ...(c.softwareVersion ? { software_version: c.softwareVersion } : {}),
  };
}

export async function registerClient(
  sql: Sql,
  body: unknown,
  from: { clientIp: string | null; userAgent: string | null; requestId: string | null; now?: Date },
): Promise<Registration> {
  const meta = validateClientMetadata(body);
  const client: Omit<OAuthClientRow, "revokedAt"> = {
    id: randomTokenId(),
    ...meta,
    createdAt: from.now ?? new Date(),
    createdIp: from.clientIp,
  };
  await sql.begin(async (tx) => {
    await insertClient(tx, client);
    await recordAudit(tx, {
      action: "oauth.client.register",
      status: "ok",
      requestId: from.requestId,
      actor: { via: "mcp", clientIp: from.clientIp, userAgent: from.userAgent },
      target: { resourceType: "oauth_client", resourceId: client.id },
      details: { clientName: client.clientName, redirectUris: client.redirectUris, softwareId: client.softwareId },
    });
  });
  return registrationOf({ ...client, revokedAt: null });
}

export async function listOAuthClients(sql: Sql, caller: Caller) {
  requirePermission(caller.principal, "tokens:manage");
  return listClientRows(sql);
}

export async function revokeOAuthClient(sql: Sql, caller: Caller, id: string): Promise<void> {
  requirePermission(caller.principal, "tokens:manage");
  const client = await findClient(sql, id);
  if (!client) throw new NotFound(`no OAuth client with id ${id}`);
  await sql.begin(async (tx) => {
    if (!(await revokeClientRow(tx, id, caller.now, caller.principal.username)))
      throw new Conflict(`OAuth client ${id} was revoked already`);
    await expireClientTokens(tx, id, caller.now);
    await recordAudit(tx, {
      action: "oauth.client.revoke",
      status: "ok",
      caller,
      target: { resourceType: "oauth_client", resourceId: id },
      details: { clientName: client.clientName },
    });
  });
}
