/**
 * Browser sessions, stored in PostgreSQL so every node sees the same ones.
 *
 * Guarantees: a token is `id.secret` with a 256-bit secret of which only the SHA-256 is stored
 * and which is compared in constant time; a session ends at its absolute expiry (default 8 h)
 * or after the idle timeout (default 1 h) without use, whichever comes first, and an expired
 * row is deleted when met; the idle window slides with use but `last_seen_at` is written at
 * most once a minute; every login makes a new session (a token from before login is never
 * promoted); a session of an inactive or deleted user resolves to nothing.
 */
import { recordAudit } from "../audit/audit-log.ts";
import type { Db, Sql } from "./db-handle.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipal } from "./principal-loader.ts";
import { secretMatches } from "./secret-tokens.ts";
import { newSessionToken, parseSessionToken } from "./session-token.ts";
import {
  deleteExpiredSessions,
  deleteOtherSessions,
  deleteSession,
  deleteUserSessions,
  findSession,
  insertSession,
  listUserSessions,
  touchSession,
  type SessionListing,
  type SessionRow,
} from "./sessions.sql.ts";
import type { Caller } from "./caller.ts";
import { Invalid } from "../errors.ts";

export type { SessionListing };

export interface SessionSettings {
  absoluteMs: number;
  idleMs: number;
}

export const DEFAULT_SESSION_SETTINGS: SessionSettings = { absoluteMs: 8 * 3_600_000, idleMs: 3_600_000 };

/** The idle window slides in steps of this: one write per minute per active session at most. */
export const RENEW_INTERVAL_MS = 60_000;

export interface NewSession {
  /** The cookie value; shown to the browser once, never stored. */
  token: string;
  id: string;
  absoluteExpiresAt: Date;
}

export interface SessionStart {
  userId: string;
  now: Date;
  clientIp?: string | null;
  userAgent?: string | null;
}

/** Inserts a brand-new session (login, password change). Runs inside the caller's transaction. */
export async function startSession(db: Db, start: SessionStart, settings: SessionSettings): Promise<NewSession> {
  const t = newSessionToken();
  const absoluteExpiresAt = new Date(start.now.getTime() + settings.absoluteMs);
  await insertSession(db, {
    id: t.id,
    userId: start.userId,
    secretHash: t.secretHash,
    now: start.now,
    absoluteExpiresAt,
    clientIp: start.clientIp ?? null,
    userAgent: start.userAgent?.slice(0, 512) ?? null,
  });
  return { token: t.token, id: t.id, absoluteExpiresAt };
}

/** Why a session is no longer valid at `now`, or null while it is. Pure. */
export function sessionExpiry(
  row: Pick<SessionRow, "createdAt" | "lastSeenAt" | "absoluteExpiresAt">,
  now: Date,
  settings: SessionSettings,
): "absolute" | "idle" | null {
  const t = now.getTime();
  // The lifetime in force now applies too, so shortening SESSION_ABSOLUTE affects old sessions.
  if (t >= row.absoluteExpiresAt.getTime() || t >= row.createdAt.getTime() + settings.absoluteMs) return "absolute";
  if (t >= row.lastSeenAt.getTime() + settings.idleMs) return "idle";
  return null;
}

/** The principal of a valid session token, or null (malformed, unknown, wrong secret, expired, inactive user). */
export async function resolveSession(
  sql: Sql,
  token: string | null | undefined,
  now: Date,
  settings: SessionSettings,
): Promise<Principal | null> {
  const parts = parseSessionToken(token);
  if (!parts) return null;
  const row = await findSession(sql, parts.id);
  if (!row || !secretMatches(parts.secret, row.secretHash)) return null;
  if (sessionExpiry(row, now, settings)) {
    await deleteSession(sql, row.id);
    return null;
  }
  const principal = await loadPrincipal(sql, row.userId, "session");
  if (!principal?.active) return null;
  if (now.getTime() - row.lastSeenAt.getTime() >= RENEW_INTERVAL_MS) {
    await touchSession(sql, row.id, now, new Date(now.getTime() - RENEW_INTERVAL_MS));
  }
  return { ...principal, sessionId: row.id };
}

export interface LogoutContext {
  now?: Date;
  clientIp?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

/** Ends the session of this token (if it is one) and audits it. True if a session ended. */
export async function logout(sql: Sql, token: string | null | undefined, ctx: LogoutContext = {}): Promise<boolean> {
  const parts = parseSessionToken(token);
  if (!parts) return false;
  return sql.begin(async (tx) => {
    const row = await findSession(tx, parts.id);
    if (!row || !secretMatches(parts.secret, row.secretHash)) return false;
    await deleteSession(tx, row.id);
    const user = await loadPrincipal(tx, row.userId, "session");
    await recordAudit(tx, {
      action: "auth.logout",
      status: "ok",
      actor: {
        userId: row.userId,
        username: user?.username ?? null,
        via: "ui",
        clientIp: ctx.clientIp ?? null,
        userAgent: ctx.userAgent ?? null,
      },
      target: { resourceType: "session", resourceId: row.id },
      requestId: ctx.requestId ?? null,
    });
    return true;
  });
}

/** Ends every session of a user (password change, role change, deactivation). Caller's transaction. */
export async function endAllSessions(db: Db, userId: string): Promise<number> {
  return deleteUserSessions(db, userId);
}

/** Housekeeping: deletes sessions past either expiry. Safe to run on every node. */
export async function purgeExpiredSessions(sql: Sql, now: Date, settings: SessionSettings): Promise<number> {
  return deleteExpiredSessions(sql, now, new Date(now.getTime() - settings.idleMs));
}

/** The caller's own live sessions (the one in use is `ctx.by.sessionId`), expired ones left out. */
export async function listMySessions(sql: Sql, caller: Caller, settings: SessionSettings): Promise<SessionListing[]> {
  const now = caller.now;
  const rows = await listUserSessions(sql, caller.principal.userId);
  return rows.filter((r) => !sessionExpiry(r, now, settings));
}

/** Ends every session of the caller except the one in use (a stolen cookie stops working). Audited. */
export async function endMyOtherSessions(sql: Sql, caller: Caller): Promise<number> {
  const keep = caller.principal.sessionId;
  if (!keep || caller.principal.via !== "session")
    throw new Invalid("only a browser session can end the user's other sessions");
  return sql.begin(async (tx) => {
    const ended = await deleteOtherSessions(tx, caller.principal.userId, keep);
    await recordAudit(tx, {
      action: "auth.sessions.end_others",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: caller.principal.userId },
      details: { ended },
    });
    return ended;
  });
}
