/**
 * Password login: throttle, verify, start a session.
 *
 * Guarantees: an unknown username, an inactive user, a service user and a wrong password all
 * give the same error and cost exactly one argon2 verification (against a dummy hash when there
 * is no real one), so neither the message nor the time tells whether an account exists; the
 * attempt is claimed against the per-username and per-address limits before the password is
 * checked; a success always starts a new session (never reuses one); the login, its failure, a
 * throttled attempt and a lockout are each audited in the transaction that records them; a hash
 * made with older argon2 parameters is replaced by one with the current parameters.
 */
import { recordAudit } from "../audit/audit-log.ts";
import type { AnonymousActor } from "../audit/audit-event.ts";
import { authenticateDirectoryUser, provisionDirectoryUser } from "../directory/directories.ts";
import { DirectoryUnavailable } from "../directory/ldap-lookup.ts";
import { TooManyRequests, Unauthorized, Unavailable } from "../errors.ts";
import type { Keyring } from "../secrets/keyring.ts";
import type { Sql, TransactionSql } from "./db-handle.ts";
import type { PasswordHasher } from "./passwords.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipal } from "./principal-loader.ts";
import { sha256Hex } from "./secret-tokens.ts";
import { startSession, type SessionSettings } from "./sessions.ts";
import {
  afterFailure,
  afterSuccess,
  claimAttempt,
  EMPTY_STATE,
  type ThrottleSettings,
  type ThrottleState,
} from "./throttle.ts";
import { deleteStaleThrottleRows, lockThrottleRows, saveThrottle, type ThrottleKey } from "./throttle.sql.ts";
import { findCredentials, replaceHash, setLastLogin, type Credentials } from "./users.sql.ts";

/** The one message for every failed password login. */
export const LOGIN_FAILED = "invalid username or password";

export interface LoginInput {
  username: string;
  password: string;
  clientIp?: string | null;
  userAgent?: string | null;
}

export interface LoginDeps {
  passwords: PasswordHasher;
  sessions: SessionSettings;
  throttle: ThrottleSettings;
  now?: Date;
  requestId?: string | null;
  /** Directory (LDAP/AD) login for users who are not local accounts; absent = local only. */
  directory?: { keyring: Keyring };
}

/** The message when a user's directory cannot be reached: says what to do, names no account. */
export const DIRECTORY_DOWN =
  "the sign-in directory is not reachable right now; try again shortly, or sign in with a local account";
/** A correct directory password whose groups map to no role here. */
export const NO_DIRECTORY_ROLE =
  "your directory account has no role on this gateway; ask an administrator to map one of your groups";

export interface LoginResult {
  /** The session token for the cookie; shown once. */
  token: string;
  sessionId: string;
  absoluteExpiresAt: Date;
  principal: Principal;
  mustChangePassword: boolean;
}

export async function login(sql: Sql, input: LoginInput, deps: LoginDeps): Promise<LoginResult> {
  const now = deps.now ?? new Date();
  const keys = throttleKeys(input);
  await claim(sql, keys, input, now, deps);
  if (deps.directory) {
    const result = await directoryLogin(sql, keys, input, now, deps, deps.directory.keyring);
    if (result) return result;
  }
  const creds = await findCredentials(sql, { username: input.username.trim() });
  const hash = creds?.kind === "person" ? creds.passwordHash : null;
  const matches = await deps.passwords.verify(hash ?? (await deps.passwords.dummyHash()), input.password);
  if (!matches || !creds?.active || !hash) {
    await recordFailure(sql, keys, input, now, deps, failureReason(creds, hash, matches));
    throw new Unauthorized(LOGIN_FAILED);
  }
  return recordSuccess(sql, keys, input, creds, hash, now, deps);
}

/**
 * A user who is not a local account, checked against the directories: null when no directory
 * knows the name (the local path then answers, with its constant cost). Failures are throttled
 * and audited exactly like local ones.
 */
async function directoryLogin(
  sql: Sql,
  keys: ThrottleKey[],
  input: LoginInput,
  now: Date,
  deps: LoginDeps,
  keyring: Keyring,
): Promise<LoginResult | null> {
  let found: Awaited<ReturnType<typeof authenticateDirectoryUser>>;
  try {
    found = await authenticateDirectoryUser(sql, keyring, input.username.trim(), input.password);
  } catch (err) {
    if (!(err instanceof DirectoryUnavailable)) throw err;
    await recordAudit(sql, {
      action: "auth.login",
      status: "failed",
      actor: actorOf(input),
      reason: err.message,
      requestId: deps.requestId ?? null,
    });
    throw new Unavailable(DIRECTORY_DOWN);
  }
  if (!found) return null;
  const { outcome, directory } = found;
  if (!outcome.ok) {
    await recordFailure(sql, keys, input, now, deps, `directory ${directory.name}: ${outcome.reason}`);
    throw new Unauthorized(LOGIN_FAILED);
  }
  const { userId, grant } = await sql.begin((tx) =>
    provisionDirectoryUser(tx, directory, outcome.account, outcome.groups, now),
  );
  if (grant.roles.length === 0) {
    await recordFailure(sql, keys, input, now, deps, `directory ${directory.name}: groups grant no role`);
    throw new Unauthorized(NO_DIRECTORY_ROLE);
  }
  const creds = await findCredentials(sql, { id: userId });
  if (!creds?.active) {
    await recordFailure(sql, keys, input, now, deps, `directory ${directory.name}: user is disabled on the gateway`);
    throw new Unauthorized(LOGIN_FAILED);
  }
  return recordSuccess(sql, keys, input, creds, null, now, deps, {
    directory: directory.name,
    roles: grant.roles,
    clusters: grant.clusters,
  });
}

/**
 * The username key is a digest: people type passwords into the username field. Requests without
 * a known client address share one "unknown" address bucket (stricter, never looser).
 */
export function throttleKeys(input: Pick<LoginInput, "username" | "clientIp">): ThrottleKey[] {
  return [{ scope: "ip", key: input.clientIp || "unknown" }, usernameThrottleKey(input.username)];
}

export function usernameThrottleKey(username: string): ThrottleKey {
  return { scope: "user", key: sha256Hex(username.trim().toLowerCase()) };
}

function failureReason(creds: Credentials | null, hash: string | null, matches: boolean): string {
  if (!creds) return "unknown user";
  if (creds.kind !== "person" || !hash) return "user cannot log in with a password";
  if (!matches) return "wrong password";
  return "user is inactive";
}

function actorOf(input: LoginInput, creds?: Credentials | null): AnonymousActor {
  return {
    userId: creds?.id ?? null,
    username: creds?.username ?? input.username.trim().slice(0, 64),
    via: "ui",
    clientIp: input.clientIp ?? null,
    userAgent: input.userAgent ?? null,
  };
}

async function lockStates(tx: TransactionSql, keys: ThrottleKey[]): Promise<ThrottleState[]> {
  const rows = await lockThrottleRows(tx, keys);
  return keys.map((k) => rows.get(`${k.scope}:${k.key}`) ?? EMPTY_STATE);
}

/** Counts the attempt against both keys, or refuses it (audited) if either is locked or backing off. */
async function claim(sql: Sql, keys: ThrottleKey[], input: LoginInput, now: Date, deps: LoginDeps): Promise<void> {
  const refusal = await sql.begin(async (tx) => {
    const states = await lockStates(tx, keys);
    const claims = keys.map((k, i) => claimAttempt(states[i]!, now, k.scope, deps.throttle));
    const refused = claims.find((c) => !c.allowed);
    if (refused && !refused.allowed) {
      await recordAudit(tx, {
        action: "auth.login",
        status: "denied",
        actor: actorOf(input),
        reason: refused.reason === "locked" ? "too many failed logins: locked out" : "too many failed logins: back-off",
        requestId: deps.requestId ?? null,
      });
      return refused.retryAfterMs;
    }
    for (const [i, k] of keys.entries()) {
      const c = claims[i]!;
      if (c.allowed) await saveThrottle(tx, k, c.next);
    }
    return null;
  });
  if (refusal !== null) {
    const seconds = Math.max(1, Math.ceil(refusal / 1000));
    throw new TooManyRequests(`too many failed logins; try again in ${seconds} s`, seconds);
  }
}

async function recordFailure(
  sql: Sql,
  keys: ThrottleKey[],
  input: LoginInput,
  now: Date,
  deps: LoginDeps,
  reason: string,
): Promise<void> {
  await sql.begin(async (tx) => {
    const states = await lockStates(tx, keys);
    for (const [i, k] of keys.entries()) {
      const { next, lockedNow } = afterFailure(states[i]!, now, k.scope, deps.throttle);
      if (!lockedNow) continue;
      await saveThrottle(tx, k, next);
      await recordAudit(tx, {
        action: "auth.lockout",
        status: "denied",
        actor: actorOf(input),
        target: {
          resourceType: k.scope === "ip" ? "client_ip" : "username",
          resourceId: k.scope === "ip" ? k.key : input.username.trim().slice(0, 64),
        },
        reason: `${next.failures} failed logins; locked until ${next.lockedUntil!.toISOString()}`,
        requestId: deps.requestId ?? null,
      });
    }
    await recordAudit(tx, {
      action: "auth.login",
      status: "failed",
      actor: actorOf(input),
      reason,
      requestId: deps.requestId ?? null,
    });
  });
}

async function recordSuccess(
  sql: Sql,
  keys: ThrottleKey[],
  input: LoginInput,
  creds: Credentials,
  hash: string | null,
  now: Date,
  deps: LoginDeps,
  extra: Record<string, unknown> = {},
): Promise<LoginResult> {
  // Hash outside the transaction: argon2 takes tens of milliseconds and needs no lock.
  const upgraded = hash && deps.passwords.needsRehash(hash) ? await deps.passwords.hash(input.password) : null;
  return sql.begin(async (tx) => {
    const states = await lockStates(tx, keys);
    for (const [i, k] of keys.entries()) await saveThrottle(tx, k, afterSuccess(states[i]!, k.scope));
    if (upgraded) await replaceHash(tx, creds.id, upgraded);
    await setLastLogin(tx, creds.id, now);
    const session = await startSession(
      tx,
      { userId: creds.id, now, clientIp: input.clientIp, userAgent: input.userAgent },
      deps.sessions,
    );
    const principal = await loadPrincipal(tx, creds.id, "session");
    if (!principal) throw new Unauthorized(LOGIN_FAILED); // deleted in the meantime
    await recordAudit(tx, {
      action: "auth.login",
      status: "ok",
      actor: actorOf(input, creds),
      target: { resourceType: "session", resourceId: session.id },
      details: { ...extra, ...(upgraded ? { rehashed: true } : {}) },
      requestId: deps.requestId ?? null,
    });
    return {
      token: session.token,
      sessionId: session.id,
      absoluteExpiresAt: session.absoluteExpiresAt,
      principal: { ...principal, sessionId: session.id },
      mustChangePassword: creds.mustChangePassword,
    };
  });
}

/** Housekeeping: forgets throttle rows whose lock and memory window have passed. Any node may run it. */
export async function purgeLoginThrottle(sql: Sql, now: Date, settings: ThrottleSettings): Promise<number> {
  return deleteStaleThrottleRows(sql, now, settings.lockoutMs);
}
