/**
 * Users: create, list, enable/disable, delete, grant and revoke roles, set cluster access.
 *
 * Guarantees: usernames are unique regardless of case (the database enforces it; a race ends in
 * Conflict, not two accounts); every change checks the acting principal with `authorize` and
 * writes its audit row in its own transaction, so a failure leaves nothing half-written;
 * deactivation ends every session and revokes every API token of the user; granting or revoking
 * a role ends the user's sessions; no change may leave the system without an active admin
 * (last-admin.ts); nobody grants a role with permissions they lack themselves.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { Conflict, Invalid, NotFound } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { revokeUserTokenRows } from "./api-tokens.sql.ts";
import { requirePermission } from "./authorize.ts";
import { isUniqueViolation, type Db, type Sql, type TransactionSql } from "./db-handle.ts";
import { guardAdmins } from "./last-admin.ts";
import { assertPasswordAcceptable } from "./password-policy.ts";
import { generatePassword, type PasswordHasher } from "./passwords.ts";
import { assertNoEscalation, getRole, type Role } from "./roles.ts";
import { deleteGrant, insertGrant } from "./roles.sql.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipal } from "./principal-loader.ts";
import { endAllSessions } from "./sessions.ts";
import {
  deleteUserRow,
  findUserByName,
  insertUser,
  listUsers as listUserRows,
  setActive,
  setClusterAccess,
  setProfile,
  type UserListing,
  type UserRow,
} from "./users.sql.ts";

export type { UserListing, UserRow };

export const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,189}$/;

export type ClusterAccess = "all" | string[];

export function checkUsername(username: string): string {
  const name = username.trim();
  if (!USERNAME.test(name))
    throw new Invalid("a username has 1–64 letters, digits, '.', '_', '@' or '-' and starts with a letter or digit");
  return name;
}

function checkEmail(email: string | null | undefined): string | null {
  const value = email?.trim();
  if (!value) return null;
  if (!EMAIL.test(value)) throw new Invalid("the email address is not valid");
  return value;
}

function checkDisplayName(name: string | null | undefined): string | null {
  const value = name?.trim();
  if (!value) return null;
  if (value.length > 128 || /[\u0000-\u001f]/.test(value))
    throw new Invalid("a display name has at most 128 printable characters");
  return value;
}

function checkClusterIds(access: ClusterAccess | undefined): ClusterAccess {
  if (access === undefined) return [];
  if (access === "all") return "all";
  const ids = [...new Set(access.map((c) => c.trim()).filter(Boolean))];
  if (ids.some((c) => c.length > 64)) throw new Invalid("a cluster id has at most 64 characters");
  return ids;
}

export async function requireUser(db: Db, username: string): Promise<UserRow> {
  const user = await findUserByName(db, username);
  if (!user) throw new NotFound(`no user named ${username}`);
  return user;
}

/**
 * The user `by` may change: someone whose permissions `by` holds too. Otherwise a user manager
 * without admin rights could reset an admin's password and sign in as them.
 */
export async function requireManageableUser(db: Db, username: string, by: Principal): Promise<UserRow> {
  const user = await requireUser(db, username);
  const target = await loadPrincipal(db, user.id, "system");
  assertNoEscalation(by, [...(target?.permissions ?? [])], `changing ${user.username}`);
  return user;
}

export async function listUsers(sql: Sql, caller: Caller): Promise<UserListing[]> {
  requirePermission(caller.principal, "users:manage");
  return listUserRows(sql);
}

export interface NewUser {
  username: string;
  email?: string | null;
  displayName?: string | null;
  /** Omitted = generate one (returned once) and require a change at first login. */
  password?: string;
  mustChangePassword?: boolean;
  roles?: string[];
  /** Default: no cluster at all (access is never implied). */
  clusters?: ClusterAccess;
}

export async function createUser(
  sql: Sql,
  caller: Caller,
  input: NewUser,
  deps: { passwords: PasswordHasher },
): Promise<{ user: UserRow; generatedPassword?: string }> {
  requirePermission(caller.principal, "users:manage");
  const username = checkUsername(input.username);
  const email = checkEmail(input.email);
  const displayName = checkDisplayName(input.displayName);
  const clusters = checkClusterIds(input.clusters);
  const roles = await rolesToGrant(sql, input.roles ?? [], caller);
  if (await findUserByName(sql, username)) throw new Conflict(`username ${username} is taken`);
  const generated = input.password === undefined ? generatePassword() : undefined;
  const password = input.password ?? generated!;
  assertPasswordAcceptable(password, username);
  const passwordHash = await deps.passwords.hash(password);
  const now = caller.now;
  const mustChangePassword = input.mustChangePassword ?? generated !== undefined;
  try {
    const user = await sql.begin(async (tx) => {
      const id = await insertUser(tx, {
        username,
        kind: "person",
        email,
        displayName,
        passwordHash,
        mustChangePassword,
        allClusters: clusters === "all",
        now,
      });
      for (const role of roles) await insertGrant(tx, id, role.id, now);
      if (clusters !== "all") await setClusterAccess(tx, id, clusters, now);
      await recordAudit(tx, {
        action: "user.create",
        status: "ok",
        caller,
        target: { resourceType: "user", resourceId: id },
        details: {
          username,
          email,
          displayName,
          roles: roles.map((r) => r.name),
          clusters,
          mustChange: mustChangePassword,
          generated: generated !== undefined,
        },
      });
      return (await findUserByName(tx, username))!;
    });
    return generated ? { user, generatedPassword: generated } : { user };
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`username ${username} is taken`);
    throw err;
  }
}

async function rolesToGrant(db: Db, names: string[], caller: Caller): Promise<Role[]> {
  const roles: Role[] = [];
  for (const name of [...new Set(names.map((n) => n.trim().toLowerCase()).filter(Boolean))]) {
    const role = await getRole(db, name).catch((err) => {
      throw err instanceof NotFound ? new Invalid(`unknown role ${name}`) : err;
    });
    assertNoEscalation(caller.principal, role.permissions, `granting role ${role.name}`);
    roles.push(role);
  }
  return roles;
}

/** Disables (ending every session, revoking every token) or re-enables a user. */
export async function setUserActive(
  sql: Sql,
  caller: Caller,
  username: string,
  active: boolean,
): Promise<{ changed: boolean; sessionsEnded: number; tokensRevoked: number }> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  const now = caller.now;
  return sql.begin(async (tx) => {
    const apply = async () => {
      const changed = user.active !== active && (await setActive(tx, user.id, active, now));
      const sessionsEnded = active ? 0 : await endAllSessions(tx, user.id);
      const tokensRevoked = active ? 0 : await revokeUserTokenRows(tx, user.id, now, "user deactivated");
      return { changed, sessionsEnded, tokensRevoked };
    };
    const result = active ? await apply() : await guardAdmins(tx, `disabling ${user.username}`, apply);
    await recordAudit(tx, {
      action: active ? "user.enable" : "user.disable",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: user.id },
      details: { username: user.username, ...result },
    });
    return result;
  });
}

export async function deleteUser(sql: Sql, caller: Caller, username: string): Promise<void> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  await sql.begin(async (tx) => {
    await guardAdmins(tx, `deleting ${user.username}`, () => deleteUserRow(tx, user.id));
    await recordAudit(tx, {
      action: "user.delete",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: user.id },
      details: { username: user.username },
    });
  });
}

export async function grantRole(sql: Sql, caller: Caller, username: string, roleName: string): Promise<boolean> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  const [role] = await rolesToGrant(sql, [roleName], caller);
  if (!role) throw new Invalid("name a role to grant");
  return sql.begin(async (tx) => {
    const granted = await insertGrant(tx, user.id, role.id, caller.now);
    if (!granted) return false;
    await roleChanged(tx, "user.role.grant", user, role, caller);
    return true;
  });
}

export async function revokeRole(sql: Sql, caller: Caller, username: string, roleName: string): Promise<boolean> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  const role = await getRole(sql, roleName);
  return sql.begin(async (tx) => {
    const revoked = await guardAdmins(tx, `revoking ${role.name} from ${user.username}`, () =>
      deleteGrant(tx, user.id, role.id),
    );
    if (!revoked) return false;
    await roleChanged(tx, "user.role.revoke", user, role, caller);
    return true;
  });
}

/** A role change ends the user's sessions: they sign in again under the new roles. */
async function roleChanged(
  tx: TransactionSql,
  action: "user.role.grant" | "user.role.revoke",
  user: UserRow,
  role: Role,
  caller: Caller,
): Promise<void> {
  const sessionsEnded = await endAllSessions(tx, user.id);
  await recordAudit(tx, {
    action,
    status: "ok",
    caller,
    target: { resourceType: "user", resourceId: user.id },
    details: { username: user.username, role: role.name, sessionsEnded },
  });
}

export async function setUserClusters(
  sql: Sql,
  caller: Caller,
  username: string,
  access: ClusterAccess,
): Promise<void> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  const clusters = checkClusterIds(access);
  await sql.begin(async (tx) => {
    await setClusterAccess(tx, user.id, clusters, caller.now);
    await recordAudit(tx, {
      action: "user.clusters.set",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: user.id },
      details: { username: user.username, clusters },
    });
  });
}

export async function updateProfile(
  sql: Sql,
  caller: Caller,
  username: string,
  profile: { email?: string | null; displayName?: string | null },
): Promise<void> {
  const user = await requireUser(sql, username);
  // Anyone may edit their own name and address; other people's need users:manage.
  if (user.id !== caller.principal.userId) {
    requirePermission(caller.principal, "users:manage");
    await requireManageableUser(sql, username, caller.principal);
  }
  const next = {
    email: profile.email !== undefined ? checkEmail(profile.email) : user.email,
    displayName: profile.displayName !== undefined ? checkDisplayName(profile.displayName) : user.displayName,
  };
  await sql.begin(async (tx) => {
    await setProfile(tx, user.id, next, caller.now);
    await recordAudit(tx, {
      action: "user.update",
      status: "ok",
      caller,
      target: { resourceType: "user", resourceId: user.id },
      details: { username: user.username, ...next },
    });
  });
}

/**
 * Sets a user's roles to exactly `roleNames` in one transaction: grants the new ones (each
 * checked for escalation), revokes the dropped ones under the last-admin guard, audits each
 * grant and revoke and ends the user's sessions once. Returns what changed.
 */
export async function setUserRoles(
  sql: Sql,
  caller: Caller,
  username: string,
  roleNames: string[],
): Promise<{ granted: string[]; revoked: string[] }> {
  requirePermission(caller.principal, "users:manage");
  const user = await requireManageableUser(sql, username, caller.principal);
  const current = (await listUserRows(sql)).find((u) => u.id === user.id)?.roles ?? [];
  const wanted = [...new Set(roleNames.map((n) => n.trim().toLowerCase()).filter(Boolean))];
  const toGrant = await rolesToGrant(
    sql,
    wanted.filter((n) => !current.includes(n)),
    caller,
  );
  const toRevoke = await Promise.all(current.filter((n) => !wanted.includes(n)).map((n) => getRole(sql, n)));
  if (toGrant.length === 0 && toRevoke.length === 0) return { granted: [], revoked: [] };
  const now = caller.now;
  await sql.begin(async (tx) => {
    await guardAdmins(tx, `changing the roles of ${user.username}`, async () => {
      for (const role of toGrant) await insertGrant(tx, user.id, role.id, now);
      for (const role of toRevoke) await deleteGrant(tx, user.id, role.id);
    });
    const sessionsEnded = await endAllSessions(tx, user.id);
    for (const [action, role] of [
      ...toGrant.map((r) => ["user.role.grant", r] as const),
      ...toRevoke.map((r) => ["user.role.revoke", r] as const),
    ]) {
      await recordAudit(tx, {
        action,
        status: "ok",
        caller,
        target: { resourceType: "user", resourceId: user.id },
        details: { username: user.username, role: role.name, sessionsEnded },
      });
    }
  });
  return { granted: toGrant.map((r) => r.name), revoked: toRevoke.map((r) => r.name) };
}
