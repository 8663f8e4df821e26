/**
 * Password changes: by the user (knowing the current one) and by an administrator (reset).
 *
 * Guarantees: the new password passes the policy; the hash is written, every session of the
 * user ends and the audit row is written in one transaction; a user's own change may start one
 * fresh session for the caller (a new id, never a survivor); an administrator's reset sets
 * must-change and clears the username's login throttle. No password reaches an audit row or an
 * error message.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { Invalid, NotFound, Unauthorized } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { requirePermission } from "./authorize.ts";
import type { Sql } from "./db-handle.ts";
import { usernameThrottleKey } from "./login.ts";
import { assertPasswordAcceptable } from "./password-policy.ts";
import { generatePassword, type PasswordHasher } from "./passwords.ts";
import { endAllSessions, startSession, type NewSession, type SessionSettings } from "./sessions.ts";
import { clearThrottle } from "./throttle.sql.ts";
import { requireManageableUser } from "./users.ts";
import { findCredentials, setPasswordHash } from "./users.sql.ts";

export interface ChangePasswordInput {
  userId: string;
  currentPassword: string;
  newPassword: string;
  clientIp?: string | null;
  userAgent?: string | null;
  /** Start a new session for the caller after ending all of them (the UI keeps the user signed in). */
  startNewSession?: boolean;
}

export interface ChangePasswordDeps {
  passwords: PasswordHasher;
  sessions: SessionSettings;
  now?: Date;
  requestId?: string | null;
}

/** The user changes their own password. Returns the new session if one was asked for. */
export async function changePassword(
  sql: Sql,
  input: ChangePasswordInput,
  deps: ChangePasswordDeps,
): Promise<{ session: NewSession | null; sessionsEnded: number }> {
  const now = deps.now ?? new Date();
  const creds = await findCredentials(sql, { id: input.userId });
  if (!creds || !creds.active || creds.kind !== "person" || !creds.passwordHash)
    throw new NotFound("no such active user");
  const actor = {
    userId: creds.id,
    username: creds.username,
    via: "ui",
    clientIp: input.clientIp ?? null,
    userAgent: input.userAgent ?? null,
  };
  if (!(await deps.passwords.verify(creds.passwordHash, input.currentPassword))) {
    await recordAudit(sql, {
      action: "user.password.change",
      status: "failed",
      actor,
      target: { resourceType: "user", resourceId: creds.id },
      reason: "current password is wrong",
      requestId: deps.requestId ?? null,
    });
    throw new Unauthorized("the current password is wrong");
  }
  assertPasswordAcceptable(input.newPassword, creds.username);
  if (input.newPassword === input.currentPassword)
    throw new Invalid("the new password must differ from the current one");
  const hash = await deps.passwords.hash(input.newPassword);
  return sql.begin(async (tx) => {
    await setPasswordHash(tx, creds.id, hash, false, now);
    const sessionsEnded = await endAllSessions(tx, creds.id);
    const session = input.startNewSession
      ? await startSession(
          tx,
          { userId: creds.id, now, clientIp: input.clientIp, userAgent: input.userAgent },
          deps.sessions,
        )
      : null;
    await recordAudit(tx, {
      action: "user.password.change",
      status: "ok",
      actor,
      target: { resourceType: "user", resourceId: creds.id },
      details: { sessionsEnded },
      requestId: deps.requestId ?? null,
    });
    return { session, sessionsEnded };
  });
}

export interface ResetPasswordInput {
  username: string;
  /** The new password; omitted = generate one and return it (shown once). */
  newPassword?: string;
  /** Defaults to true: whoever set it knows it, so the user should replace it. */
  mustChange?: boolean;
}

/** An administrator sets a user's password. */
export async function resetPassword(
  sql: Sql,
  caller: Caller,
  input: ResetPasswordInput,
  deps: { passwords: PasswordHasher },
): Promise<{ generatedPassword?: string; sessionsEnded: number }> {
  requirePermission(caller.principal, "users:manage");
  const now = caller.now;
  const user = await requireManageableUser(sql, input.username, caller.principal);
  if (user.kind !== "person") throw new Invalid(`${user.username} is a service user and has no password`);
  const generated = input.newPassword === undefined ? generatePassword() : undefined;
  const password = input.newPassword ?? generated!;
  assertPasswordAcceptable(password, user.username);
  const hash = await deps.passwords.hash(password);
  const mustChange = input.mustChange ?? true;
  const sessionsEnded = await sql.begin(async (tx) => {
    await setPasswordHash(tx, user.id, hash, mustChange, now);
    const ended = await endAllSessions(tx, user.id);
    await clearThrottle(tx, usernameThrottleKey(user.username));
    await recordAudit(tx, {
      action: "user.password.reset",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: user.id },
      details: { username: user.username, generated: generated !== undefined, mustChange, sessionsEnded: ended },
    });
    return ended;
  });
  return generated ? { generatedPassword: generated, sessionsEnded } : { sessionsEnded };
}
