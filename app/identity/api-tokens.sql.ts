// Queries of API tokens (sql/0002_identity.sql). The secret's digest is read only by the lookup
// that verifies a presented token, never by a listing.
import type { Db } from "./db-handle.ts";

export interface ApiTokenRow {
  id: string;
  userId: string;
  username: string;
  name: string;
  readOnly: boolean;
  clusters: string[] | null;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  revokedAt: Date | null;
  revokedReason: string | null;
}

export interface NewApiTokenRow {
  id: string;
  userId: string;
  name: string;
  secretHash: string;
  readOnly: boolean;
  clusters: string[] | null;
  now: Date;
  createdBy: string | null;
  expiresAt: Date | null;
}

export interface TokenVerification {
  id: string;
  userId: string;
  username: string;
  name: string;
  secretHash: string;
  readOnly: boolean;
  clusters: string[] | null;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export async function insertApiToken(db: Db, t: NewApiTokenRow): Promise<void> {
  await db`insert into api_tokens (id, user_id, name, secret_hash, read_only, clusters, created_at, created_by, expires_at)
           values (${t.id}, ${t.userId}, ${t.name}, ${t.secretHash}, ${t.readOnly}, ${t.clusters}::text[], ${t.now}, ${t.createdBy}, ${t.expiresAt})`;
}

/** The row of one presented token, looked up by its id only. */
export async function findTokenForVerification(db: Db, id: string): Promise<TokenVerification | null> {
  const rows = await db<TokenVerification[]>`
    select t.id, t.user_id::text as "userId", u.username, t.name, t.secret_hash as "secretHash", t.read_only as "readOnly",
           t.clusters, t.expires_at as "expiresAt", t.last_used_at as "lastUsedAt", t.revoked_at as "revokedAt"
    from api_tokens t join users u on u.id = t.user_id where t.id = ${id}`;
  return rows[0] ?? null;
}

export async function findApiToken(db: Db, id: string): Promise<ApiTokenRow | null> {
  const rows = await db<ApiTokenRow[]>`
    select t.id, t.user_id::text as "userId", u.username, t.name, t.read_only as "readOnly", t.clusters,
           t.created_at as "createdAt", t.created_by as "createdBy", t.expires_at as "expiresAt",
           t.last_used_at as "lastUsedAt", t.last_used_ip as "lastUsedIp", t.revoked_at as "revokedAt",
           t.revoked_reason as "revokedReason"
    from api_tokens t join users u on u.id = t.user_id where t.id = ${id}`;
  return rows[0] ?? null;
}

/** Every token, or one user's; newest first. */
export async function listApiTokenRows(db: Db, userId: string | null): Promise<ApiTokenRow[]> {
  return db<ApiTokenRow[]>`
    select t.id, t.user_id::text as "userId", u.username, t.name, t.read_only as "readOnly", t.clusters,
           t.created_at as "createdAt", t.created_by as "createdBy", t.expires_at as "expiresAt",
           t.last_used_at as "lastUsedAt", t.last_used_ip as "lastUsedIp", t.revoked_at as "revokedAt",
           t.revoked_reason as "revokedReason"
    from api_tokens t join users u on u.id = t.user_id
    where ${userId}::uuid is null or t.user_id = ${userId}::uuid
    order by t.created_at desc, t.id`;
}

/**
 * Records use. The `last_used_at <= cutoff` condition keeps it to one write per interval even
 * with parallel requests on several nodes.
 */
export async function touchApiToken(db: Db, id: string, now: Date, ip: string | null, cutoff: Date): Promise<boolean> {
  const rows = await db`update api_tokens set last_used_at = ${now}, last_used_ip = ${ip}
                        where id = ${id} and (last_used_at is null or last_used_at <= ${cutoff}) returning id`;
  return rows.length > 0;
}

export async function revokeApiTokenRow(db: Db, id: string, now: Date, reason: string): Promise<boolean> {
  const rows = await db`update api_tokens set revoked_at = ${now}, revoked_reason = ${reason}
                        where id = ${id} and revoked_at is null returning id`;
  return rows.length > 0;
}

/** Revokes every live token of a user; returns how many. */
export async function revokeUserTokenRows(db: Db, userId: string, now: Date, reason: string): Promise<number> {
  const rows = await db`update api_tokens set revoked_at = ${now}, revoked_reason = ${reason}
                        where user_id = ${userId} and revoked_at is null returning id`;
  return rows.length;
}

/** Narrows a live token in place (the domain checks it only narrows). */
export async function narrowApiTokenRow(
  db: Db,
  id: string,
  readOnly: boolean,
  clusters: string[] | null,
): Promise<boolean> {
  const rows = await db`update api_tokens set read_only = ${readOnly}, clusters = ${clusters}::text[]
                        where id = ${id} and revoked_at is null returning id`;
  return rows.length > 0;
}

/** Live tokens whose expiry falls before `until` (the dashboard's "expiring soon"), soonest first. */
export async function listExpiringTokenRows(
  db: Db,
  userId: string | null,
  now: Date,
  until: Date,
): Promise<ApiTokenRow[]> {
  return db<ApiTokenRow[]>`
    select t.id, t.user_id::text as "userId", u.username, t.name, t.read_only as "readOnly", t.clusters,
           t.created_at as "createdAt", t.created_by as "createdBy", t.expires_at as "expiresAt",
           t.last_used_at as "lastUsedAt", t.last_used_ip as "lastUsedIp", t.revoked_at as "revokedAt",
           t.revoked_reason as "revokedReason"
    from api_tokens t join users u on u.id = t.user_id
    where t.revoked_at is null and t.expires_at > ${now} and t.expires_at <= ${until}
      and (${userId}::uuid is null or t.user_id = ${userId}::uuid)
    order by t.expires_at, t.id limit 50`;
}
