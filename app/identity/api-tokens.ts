/**
 * API tokens for MCP clients.
 *
 * Guarantees: a token is shown once, at creation (`nmg_<id>_<secret>`); only the SHA-256 of its
 * 256-bit secret is stored; a presented token is found by its id and its secret compared in
 * constant time; malformed, unknown, wrong-secret, expired and revoked tokens and tokens of
 * inactive users resolve to nothing; narrowing (read-only, a cluster list) is carried in the
 * Principal and also applied to its permissions and cluster access, so code that only reads
 * those still cannot exceed the token; last use is written at most once a minute; owners
 * (tokens:own) and administrators (tokens:manage) may revoke; deactivating a user revokes all of
 * its tokens (users.ts). Creation and revocation are audited in their transaction.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { Conflict, Invalid, NotFound, Unauthorized } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { newApiToken, parseApiToken } from "./api-token-format.ts";
import {
  findApiToken,
  findTokenForVerification,
  insertApiToken,
  listApiTokenRows,
  listExpiringTokenRows,
  narrowApiTokenRow,
  revokeApiTokenRow,
  touchApiToken,
  type ApiTokenRow,
  type TokenVerification,
} from "./api-tokens.sql.ts";
import { authorize, READ_ONLY_PERMISSIONS, requirePermission } from "./authorize.ts";
import { isUniqueViolation, type Sql } from "./db-handle.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipal } from "./principal-loader.ts";
import { secretMatches } from "./secret-tokens.ts";
import { requireUser } from "./users.ts";

export type { ApiTokenRow };

/** Default lifetime when the caller passes none (TOKEN_DEFAULT_TTL overrides it). */
export const DEFAULT_TOKEN_TTL_MS = 90 * 86_400_000;
/** Last use is recorded at this granularity: at most one write per token per minute. */
export const TOUCH_INTERVAL_MS = 60_000;

const TOKEN_NAME = /^[^\u0000-\u001f\u007f]{1,64}$/;

export interface NewApiTokenInput {
  username: string;
  name: string;
  /** An explicit expiry, or null for none; omitted = now + ttlMs. */
  expiresAt?: Date | null;
  ttlMs?: number;
  readOnly?: boolean;
  /** Cluster ids the token is limited to; omitted/null = every cluster the user may use. */
  clusters?: string[] | null;
}

export interface CreatedApiToken {
  /** The full token: shown once, never stored, never logged. */
  token: string;
  id: string;
  name: string;
  username: string;
  expiresAt: Date | null;
  readOnly: boolean;
  clusters: string[] | null;
}

/** Owners need tokens:own for themselves; tokens:manage covers everybody's. */
function requireTokenRights(by: Principal, ownerId: string): void {
  requirePermission(by, ownerId === by.userId ? "tokens:own" : "tokens:manage");
}

export async function createApiToken(sql: Sql, caller: Caller, input: NewApiTokenInput): Promise<CreatedApiToken> {
  const user = await requireUser(sql, input.username);
  requireTokenRights(caller.principal, user.id);
  const name = input.name.trim();
  if (!TOKEN_NAME.test(name)) throw new Invalid("a token name has 1–64 printable characters");
  if (!user.active) throw new Invalid(`${user.username} is disabled; enable the user first`);
  const now = caller.now;
  const expiresAt =
    input.expiresAt !== undefined ? input.expiresAt : new Date(now.getTime() + (input.ttlMs ?? DEFAULT_TOKEN_TTL_MS));
  if (expiresAt && expiresAt.getTime() <= now.getTime()) throw new Invalid("the expiry must be in the future");
  const clusters = await narrowedClusters(sql, user.id, input.clusters);
  const readOnly = input.readOnly ?? false;
  const t = newApiToken();
  try {
    await sql.begin(async (tx) => {
      await insertApiToken(tx, {
        id: t.id,
        userId: user.id,
        name,
        secretHash: t.secretHash,
        readOnly,
        clusters,
        now,
        createdBy: caller.principal.username,
        expiresAt,
      });
      await recordAudit(tx, {
        action: "token.create",
        status: "ok",
        caller,
        target: { resourceType: "api_token", resourceId: t.id },
        details: { name, owner: user.username, readOnly, clusters, expiresAt: expiresAt?.toISOString() ?? null },
      });
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new Conflict(`${user.username} already has a token named "${name}"; revoke it or pick another name`);
    throw err;
  }
  return { token: t.token, id: t.id, name, username: user.username, expiresAt, readOnly, clusters };
}

/** A token may only narrow: its clusters must be ones the user may use. */
async function narrowedClusters(
  sql: Sql,
  userId: string,
  clusters: string[] | null | undefined,
): Promise<string[] | null> {
  if (clusters === undefined || clusters === null) return null;
  const ids = [...new Set(clusters.map((c) => c.trim()).filter(Boolean))];
  if (ids.length === 0) throw new Invalid("name at least one cluster, or none to allow all of the user's clusters");
  const owner = await loadPrincipal(sql, userId, "token");
  const access = owner?.clusterAccess ?? [];
  const outside = access === "all" ? [] : ids.filter((id) => !access.includes(id));
  if (outside.length) throw new Invalid(`the user has no access to cluster(s) ${outside.join(", ")}`);
  return ids.sort();
}

export type TokenStatus = "active" | "expired" | "revoked";

export function tokenStatus(row: Pick<ApiTokenRow, "expiresAt" | "revokedAt">, now: Date): TokenStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return "expired";
  return "active";
}

/** One user's tokens (own: tokens:own; others': tokens:manage), or everybody's (tokens:manage). */
export async function listApiTokens(sql: Sql, caller: Caller, username?: string): Promise<ApiTokenRow[]> {
  if (username === undefined) {
    requirePermission(caller.principal, "tokens:manage");
    return listApiTokenRows(sql, null);
  }
  const user = await requireUser(sql, username);
  requireTokenRights(caller.principal, user.id);
  return listApiTokenRows(sql, user.id);
}

export async function revokeApiToken(sql: Sql, caller: Caller, id: string, reason = "revoked"): Promise<void> {
  const row = /^[0-9a-f]{24}$/.test(id) ? await findApiToken(sql, id) : null;
  if (!row) throw new NotFound(`no token with id ${id}`);
  requireTokenRights(caller.principal, row.userId);
  if (row.revokedAt) throw new Conflict(`token ${id} was revoked already`);
  await sql.begin(async (tx) => {
    if (!(await revokeApiTokenRow(tx, id, caller.now, reason.slice(0, 200))))
      throw new Conflict(`token ${id} was revoked already`);
    await recordAudit(tx, {
      action: "token.revoke",
      status: "ok",
      caller,
      target: { resourceType: "api_token", resourceId: id },
      details: { name: row.name, owner: row.username, reason },
    });
  });
}

export interface TokenNarrowingInput {
  /** true makes the token read-only; false keeps what it is (a token never widens). */
  readOnly?: boolean;
  /** Cluster ids to keep; they must be a subset of what the token allows now. */
  clusters?: string[];
}

/**
 * Narrows a live token: read-only can be switched on, never off; its cluster list can only
 * shrink (a token for every cluster may be limited to some). Anything wider is refused with
 * what to do instead (create a new token). Audited with the before and after.
 */
export async function narrowApiToken(
  sql: Sql,
  caller: Caller,
  id: string,
  input: TokenNarrowingInput,
): Promise<ApiTokenRow> {
  const row = /^[0-9a-f]{24}$/.test(id) ? await findApiToken(sql, id) : null;
  if (!row) throw new NotFound(`no token with id ${id}`);
  requireTokenRights(caller.principal, row.userId);
  if (tokenStatus(row, caller.now) !== "active")
    throw new Conflict(`token "${row.name}" is ${tokenStatus(row, caller.now)}; only an active token can be narrowed`);
  if (input.readOnly === false && row.readOnly)
    throw new Invalid("a read-only token cannot become read-write; create a new token instead");
  const readOnly = row.readOnly || input.readOnly === true;
  let clusters = row.clusters;
  if (input.clusters !== undefined) {
    const ids = [...new Set(input.clusters.map((c) => c.trim()).filter(Boolean))].sort();
    if (ids.length === 0) throw new Invalid("keep at least one cluster; to stop the token entirely, revoke it");
    const wider = row.clusters ? ids.filter((c) => !row.clusters!.includes(c)) : [];
    if (wider.length)
      throw new Invalid(
        `the token is not allowed cluster(s) ${wider.join(", ")}; a token can only be narrowed — create a new token instead`,
      );
    clusters = await narrowedClusters(sql, row.userId, ids);
  }
  if (
    readOnly === row.readOnly &&
    (clusters ?? []).join() === (row.clusters ?? []).join() &&
    (clusters === null) === (row.clusters === null)
  )
    return row;
  await sql.begin(async (tx) => {
    if (!(await narrowApiTokenRow(tx, id, readOnly, clusters)))
      throw new Conflict(`token "${row.name}" was revoked meanwhile`);
    await recordAudit(tx, {
      action: "token.narrow",
      status: "ok",
      caller,
      target: { resourceType: "api_token", resourceId: id },
      details: {
        name: row.name,
        owner: row.username,
        before: { readOnly: row.readOnly, clusters: row.clusters },
        after: { readOnly, clusters },
      },
    });
  });
  return { ...row, readOnly, clusters };
}

/** Live tokens expiring within `withinMs`: the caller's own, or everybody's with tokens:manage. */
export async function listExpiringTokens(sql: Sql, caller: Caller, withinMs: number): Promise<ApiTokenRow[]> {
  const now = caller.now;
  const everyone = authorize(caller.principal, "tokens:manage").allowed;
  if (!everyone) requirePermission(caller.principal, "tokens:own");
  return listExpiringTokenRows(sql, everyone ? null : caller.principal.userId, now, new Date(now.getTime() + withinMs));
}

export interface TokenUse {
  now?: Date;
  clientIp?: string | null;
  /**
   * Where the token row and its owner's principal come from (default: the database). The MCP
   * path passes its in-process caches (app/cache/caches.ts); the checks below run either way.
   */
  lookup?: TokenLookup;
}

export interface TokenLookup {
  token(id: string): Promise<TokenVerification | null>;
  principal(userId: string): Promise<Principal | null>;
}

export type TokenFailure = "malformed" | "unknown" | "expired" | "revoked" | "inactive";

/** Who a refused token belongs to, once its secret matched (for the audit; never for access). */
export interface TokenOwner {
  tokenId: string;
  tokenName: string;
  userId: string;
  username: string;
}

export type TokenCheck = { principal: Principal } | { failure: TokenFailure; owner?: TokenOwner };

/** The principal of a presented token, or why there is none. */
export async function checkApiToken(
  sql: Sql,
  bearer: string | null | undefined,
  use: TokenUse = {},
): Promise<TokenCheck> {
  const parts = parseApiToken(bearer);
  if (!parts) return { failure: "malformed" };
  const row = use.lookup ? await use.lookup.token(parts.id) : await findTokenForVerification(sql, parts.id);
  // Wrong secret reads as unknown: whoever lacks the secret learns nothing about the id.
  if (!row || !secretMatches(parts.secret, row.secretHash)) return { failure: "unknown" };
  const now = use.now ?? new Date();
  const known: TokenOwner = { tokenId: row.id, tokenName: row.name, userId: row.userId, username: row.username };
  if (row.revokedAt) return { failure: "revoked", owner: known };
  if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { failure: "expired", owner: known };
  const owner = use.lookup ? await use.lookup.principal(row.userId) : await loadPrincipal(sql, row.userId, "token");
  if (!owner?.active) return { failure: "inactive", owner: known };
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= TOUCH_INTERVAL_MS) {
    // A cached row is shared: note the touch on it so the next calls do not touch again.
    row.lastUsedAt = now;
    await touchApiToken(sql, row.id, now, use.clientIp ?? null, new Date(now.getTime() - TOUCH_INTERVAL_MS));
  }
  return { principal: narrow(owner, row) };
}

/** Applies a token's narrowing to the owner's principal (never widens). Pure. */
export function narrow(
  owner: Principal,
  token: { id: string; name: string; readOnly: boolean; clusters: string[] | null },
): Principal {
  const permissions = token.readOnly
    ? new Set([...owner.permissions].filter((p) => READ_ONLY_PERMISSIONS.has(p)))
    : owner.permissions;
  let clusterAccess = owner.clusterAccess;
  if (token.clusters)
    clusterAccess =
      owner.clusterAccess === "all"
        ? [...token.clusters]
        : owner.clusterAccess.filter((c) => token.clusters!.includes(c));
  return {
    ...owner,
    permissions,
    clusterAccess,
    via: "token",
    token: {
      id: token.id,
      name: token.name,
      readOnly: token.readOnly,
      clusters: token.clusters ? [...token.clusters] : null,
    },
  };
}

/** The principal of a valid token, or null. */
export async function resolveApiToken(
  sql: Sql,
  bearer: string | null | undefined,
  use: TokenUse = {},
): Promise<Principal | null> {
  const result = await checkApiToken(sql, bearer, use);
  return "principal" in result ? result.principal : null;
}

const FAILURE_MESSAGES: Record<TokenFailure, string> = {
  malformed: "the bearer token is malformed; expected nmg_<id>_<secret>",
  unknown: "the bearer token is not valid",
  expired: "the bearer token has expired; create a new one",
  revoked: "the bearer token was revoked",
  inactive: "the bearer token's user is disabled",
};

/** `resolveApiToken` for callers that answer a failure: throws Unauthorized with a clear reason. */
export async function authenticateApiToken(
  sql: Sql,
  bearer: string | null | undefined,
  use: TokenUse = {},
): Promise<Principal> {
  const result = await checkApiToken(sql, bearer, use);
  if ("failure" in result) throw new Unauthorized(FAILURE_MESSAGES[result.failure]);
  return result.principal;
}
