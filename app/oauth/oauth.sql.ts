// Queries of OAuth clients, authorization requests, grants and tokens (sql/0011_oauth.sql).
// A secret's digest is read only by the lookup that verifies a presented credential.
import type { Db } from "../identity/db-handle.ts";
import type { OAuthTokenKind } from "./oauth-token-format.ts";

export interface OAuthClientRow {
  id: string;
  clientName: string;
  redirectUris: string[];
  clientUri: string | null;
  softwareId: string | null;
  softwareVersion: string | null;
  createdAt: Date;
  createdIp: string | null;
  revokedAt: Date | null;
}

const CLIENT_COLUMNS = (
  db: Db,
) => db`id, client_name as "clientName", redirect_uris as "redirectUris", client_uri as "clientUri",
  software_id as "softwareId", software_version as "softwareVersion", created_at as "createdAt", created_ip as "createdIp", revoked_at as "revokedAt"`;

export async function insertClient(db: Db, c: Omit<OAuthClientRow, "revokedAt">): Promise<void> {
  await db`insert into oauth_clients (id, client_name, redirect_uris, client_uri, software_id, software_version, created_at, created_ip)
           values (${c.id}, ${c.clientName}, ${c.redirectUris}::text[], ${c.clientUri}, ${c.softwareId}, ${c.softwareVersion}, ${c.createdAt}, ${c.createdIp})`;
}

export async function findClient(db: Db, id: string): Promise<OAuthClientRow | null> {
  if (!/^[0-9a-f]{24}$/.test(id)) return null;
  const rows = await db<OAuthClientRow[]>`select ${CLIENT_COLUMNS(db)} from oauth_clients where id = ${id}`;
  return rows[0] ?? null;
}

export async function listClientRows(db: Db): Promise<(OAuthClientRow & { liveGrants: number })[]> {
  return db<(OAuthClientRow & { liveGrants: number })[]>`
    select ${CLIENT_COLUMNS(db)},
           (select count(*)::int from oauth_grants g where g.client_id = oauth_clients.id and g.revoked_at is null) as "liveGrants"
    from oauth_clients order by created_at desc, id`;
}

export async function revokeClientRow(db: Db, id: string, now: Date, by: string): Promise<boolean> {
  const rows =
    await db`update oauth_clients set revoked_at = ${now}, revoked_by = ${by} where id = ${id} and revoked_at is null returning id`;
  return rows.length > 0;
}

export interface OAuthRequestRow {
  id: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  state: string | null;
  wantsWrite: boolean;
  resource: string;
  createdAt: Date;
  expiresAt: Date;
  decidedAt: Date | null;
}

export async function insertRequest(db: Db, r: Omit<OAuthRequestRow, "decidedAt">): Promise<void> {
  await db`insert into oauth_requests (id, client_id, redirect_uri, code_challenge, state, wants_write, resource, created_at, expires_at)
           values (${r.id}, ${r.clientId}, ${r.redirectUri}, ${r.codeChallenge}, ${r.state}, ${r.wantsWrite}, ${r.resource}, ${r.createdAt}, ${r.expiresAt})`;
}

const REQUEST_COLUMNS = (
  db: Db,
) => db`id, client_id as "clientId", redirect_uri as "redirectUri", code_challenge as "codeChallenge", state,
  wants_write as "wantsWrite", resource, created_at as "createdAt", expires_at as "expiresAt", decided_at as "decidedAt"`;

export async function findRequest(db: Db, id: string): Promise<OAuthRequestRow | null> {
  if (!/^[A-Za-z0-9_-]{22}$/.test(id)) return null;
  const rows = await db<OAuthRequestRow[]>`select ${REQUEST_COLUMNS(db)} from oauth_requests where id = ${id}`;
  return rows[0] ?? null;
}

/** Marks a pending, unexpired request decided; null if it was decided already or expired (single use). */
export async function decideRequestRow(db: Db, id: string, now: Date): Promise<OAuthRequestRow | null> {
  const rows = await db<OAuthRequestRow[]>`
    update oauth_requests set decided_at = ${now}
    where id = ${id} and decided_at is null and expires_at > ${now}
    returning ${REQUEST_COLUMNS(db)}`;
  return rows[0] ?? null;
}

/** Drops requests that ended long ago (they are useless after expiry). */
export async function pruneRequests(db: Db, before: Date): Promise<void> {
  await db`delete from oauth_requests where expires_at < ${before}`;
}

export interface OAuthGrantRow {
  id: string;
  userId: string;
  username: string;
  clientId: string;
  clientName: string;
  readOnly: boolean;
  clusters: string[] | null;
  resource: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export async function insertGrant(
  db: Db,
  g: Pick<OAuthGrantRow, "id" | "userId" | "clientId" | "readOnly" | "clusters" | "resource" | "createdAt">,
): Promise<void> {
  await db`insert into oauth_grants (id, user_id, client_id, read_only, clusters, resource, created_at)
           values (${g.id}, ${g.userId}, ${g.clientId}, ${g.readOnly}, ${g.clusters}::text[], ${g.resource}, ${g.createdAt})`;
}

const GRANT_SELECT = (db: Db) => db`
  select g.id, g.user_id::text as "userId", u.username, g.client_id as "clientId", c.client_name as "clientName",
         g.read_only as "readOnly", g.clusters, g.resource, g.created_at as "createdAt", g.last_used_at as "lastUsedAt",
         g.last_used_ip as "lastUsedIp", coalesce(g.revoked_at, c.revoked_at) as "revokedAt",
         case when g.revoked_at is null and c.revoked_at is not null then 'client revoked' else g.revoked_reason end as "revokedReason"
  from oauth_grants g join users u on u.id = g.user_id join oauth_clients c on c.id = g.client_id`;

export async function findGrant(db: Db, id: string): Promise<OAuthGrantRow | null> {
  if (!/^[0-9a-f]{24}$/.test(id)) return null;
  const rows = await db<OAuthGrantRow[]>`${GRANT_SELECT(db)} where g.id = ${id}`;
  return rows[0] ?? null;
}

/** Every grant, or one user's; newest first. */
export async function listGrantRows(db: Db, userId: string | null): Promise<OAuthGrantRow[]> {
  return db<
    OAuthGrantRow[]
  >`${GRANT_SELECT(db)} where ${userId}::uuid is null or g.user_id = ${userId}::uuid order by g.created_at desc, g.id`;
}

export async function revokeGrantRow(db: Db, id: string, now: Date, reason: string): Promise<boolean> {
  const rows =
    await db`update oauth_grants set revoked_at = ${now}, revoked_reason = ${reason} where id = ${id} and revoked_at is null returning id`;
  return rows.length > 0;
}

export async function touchGrant(db: Db, id: string, now: Date, ip: string | null, cutoff: Date): Promise<void> {
  await db`update oauth_grants set last_used_at = ${now}, last_used_ip = ${ip}
           where id = ${id} and (last_used_at is null or last_used_at <= ${cutoff})`;
}

export interface NewOAuthTokenRow {
  id: string;
  grantId: string;
  kind: OAuthTokenKind;
  secretHash: string;
  redirectUri?: string | null;
  codeChallenge?: string | null;
  createdAt: Date;
  expiresAt: Date;
}

export async function insertToken(db: Db, t: NewOAuthTokenRow): Promise<void> {
  await db`insert into oauth_tokens (id, grant_id, kind, secret_hash, redirect_uri, code_challenge, created_at, expires_at)
           values (${t.id}, ${t.grantId}, ${t.kind}, ${t.secretHash}, ${t.redirectUri ?? null}, ${t.codeChallenge ?? null}, ${t.createdAt}, ${t.expiresAt})`;
}

/** A presented code or token with what its checks need, looked up by its id only. */
export interface OAuthTokenVerification {
  id: string;
  kind: OAuthTokenKind;
  secretHash: string;
  redirectUri: string | null;
  codeChallenge: string | null;
  expiresAt: Date;
  usedAt: Date | null;
  grantId: string;
  userId: string;
  username: string;
  clientId: string;
  clientName: string;
  readOnly: boolean;
  clusters: string[] | null;
  resource: string;
  grantRevokedAt: Date | null;
  clientRevokedAt: Date | null;
  grantLastUsedAt: Date | null;
}

export async function findTokenForVerification(db: Db, id: string): Promise<OAuthTokenVerification | null> {
  const rows = await db<OAuthTokenVerification[]>`
    select t.id, t.kind, t.secret_hash as "secretHash", t.redirect_uri as "redirectUri", t.code_challenge as "codeChallenge",
           t.expires_at as "expiresAt", t.used_at as "usedAt", g.id as "grantId", g.user_id::text as "userId", u.username,
           c.id as "clientId", c.client_name as "clientName", g.read_only as "readOnly", g.clusters, g.resource,
           g.revoked_at as "grantRevokedAt", c.revoked_at as "clientRevokedAt", g.last_used_at as "grantLastUsedAt"
    from oauth_tokens t join oauth_grants g on g.id = t.grant_id join oauth_clients c on c.id = g.client_id
         join users u on u.id = g.user_id
    where t.id = ${id}`;
  return rows[0] ?? null;
}

/** Single use: true for exactly one caller, however many race. */
export async function markTokenUsed(db: Db, id: string, now: Date): Promise<boolean> {
  const rows = await db`update oauth_tokens set used_at = ${now} where id = ${id} and used_at is null returning id`;
  return rows.length > 0;
}

/** Ends every live access and refresh token of a grant right away (codes too). */
export async function expireGrantTokens(db: Db, grantId: string, now: Date): Promise<void> {
  await db`update oauth_tokens set expires_at = ${now} where grant_id = ${grantId} and expires_at > ${now}`;
}

/** Ends every live code and token of every grant of a client. */
export async function expireClientTokens(db: Db, clientId: string, now: Date): Promise<void> {
  await db`update oauth_tokens set expires_at = ${now}
           where expires_at > ${now} and grant_id in (select id from oauth_grants where client_id = ${clientId})`;
}
