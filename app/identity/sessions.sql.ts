// Queries of browser sessions (sql/0002_identity.sql). The table holds the SHA-256 of each
// session secret, never the secret.
import type { Db } from "./db-handle.ts";

export interface SessionRow {
  id: string;
  userId: string;
  secretHash: string;
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
}

export interface NewSessionRow {
  id: string;
  userId: string;
  secretHash: string;
  now: Date;
  absoluteExpiresAt: Date;
  clientIp: string | null;
  userAgent: string | null;
}

export async function insertSession(db: Db, s: NewSessionRow): Promise<void> {
  await db`insert into sessions (id, user_id, secret_hash, created_at, last_seen_at, absolute_expires_at, client_ip, user_agent)
           values (${s.id}, ${s.userId}, ${s.secretHash}, ${s.now}, ${s.now}, ${s.absoluteExpiresAt}, ${s.clientIp}, ${s.userAgent})`;
}

export async function findSession(db: Db, id: string): Promise<SessionRow | null> {
  const rows = await db<SessionRow[]>`
    select id, user_id::text as "userId", secret_hash as "secretHash", created_at as "createdAt",
           last_seen_at as "lastSeenAt", absolute_expires_at as "absoluteExpiresAt"
    from sessions where id = ${id}`;
  return rows[0] ?? null;
}

/**
 * Slides the idle window. The `last_seen_at <= cutoff` condition makes it at most one write per
 * interval even when several nodes see the same session at once. True if this call wrote.
 */
export async function touchSession(db: Db, id: string, now: Date, cutoff: Date): Promise<boolean> {
  const rows = await db`update sessions set last_seen_at = ${now}
                        where id = ${id} and last_seen_at <= ${cutoff} returning id`;
  return rows.length > 0;
}

export async function deleteSession(db: Db, id: string): Promise<boolean> {
  const rows = await db`delete from sessions where id = ${id} returning id`;
  return rows.length > 0;
}

/** Ends every session of a user; returns how many there were. */
export async function deleteUserSessions(db: Db, userId: string): Promise<number> {
  const rows = await db`delete from sessions where user_id = ${userId} returning id`;
  return rows.length;
}

/** Removes sessions past their absolute or idle expiry; returns how many. */
export async function deleteExpiredSessions(db: Db, now: Date, idleCutoff: Date): Promise<number> {
  const rows =
    await db`delete from sessions where absolute_expires_at <= ${now} or last_seen_at <= ${idleCutoff} returning id`;
  return rows.length;
}

export interface SessionListing {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  absoluteExpiresAt: Date;
  clientIp: string | null;
  userAgent: string | null;
}

/** A user's sessions, most recently used first (no secret digests). */
export async function listUserSessions(db: Db, userId: string): Promise<SessionListing[]> {
  return db<SessionListing[]>`
    select id, created_at as "createdAt", last_seen_at as "lastSeenAt", absolute_expires_at as "absoluteExpiresAt",
           client_ip as "clientIp", user_agent as "userAgent"
    from sessions where user_id = ${userId} order by last_seen_at desc, id`;
}

/** Ends every session of a user but one; returns how many ended. */
export async function deleteOtherSessions(db: Db, userId: string, keepId: string): Promise<number> {
  const rows = await db`delete from sessions where user_id = ${userId} and id <> ${keepId} returning id`;
  return rows.length;
}
