/**
 * Roles: named sets of permissions from the closed list, optionally naming an MCP tool profile.
 *
 * Guarantees: admin, operator and viewer are system roles — never deleted, their permissions
 * fixed by code (SYSTEM_ROLES); a custom role holds only names from the closed list; nobody
 * creates, edits or grants a role carrying a permission they do not hold themselves (no
 * escalation through roles); when a role's permissions change or it is deleted, its holders'
 * sessions end in the same transaction, which also writes the audit row.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import type { Caller } from "./caller.ts";
import { requirePermission } from "./authorize.ts";
import { isUniqueViolation, type Db, type Sql } from "./db-handle.ts";
import { isPermission, type Permission } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { rolePermissions } from "./principal-loader.ts";
import {
  deleteGrantsOfRole,
  deleteRoleRow,
  findRoleRow,
  holdersOfRole,
  insertRole,
  listRoleRows,
  updateRoleRow,
  type RoleRow,
} from "./roles.sql.ts";
import { endAllSessions } from "./sessions.ts";

export interface Role {
  id: string;
  name: string;
  description: string;
  /** Effective permissions (for system roles: from code). */
  permissions: Permission[];
  toolProfile: string | null;
  system: boolean;
  holders: number;
}

const ROLE_NAME = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const TOOL_PROFILE = /^[A-Za-z0-9_.-]{1,64}$/;

function toRole(row: RoleRow): Role {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    permissions: rolePermissions(row),
    toolProfile: row.toolProfile,
    system: row.system,
    holders: row.holders,
  };
}

export async function listRoles(db: Db): Promise<Role[]> {
  return (await listRoleRows(db)).map(toRole);
}

export async function getRole(db: Db, name: string): Promise<Role> {
  const row = await findRoleRow(db, name);
  if (!row) throw new NotFound(`no role named ${name}`);
  return toRole(row);
}

/** Throws Forbidden unless `by` holds every permission of the role it hands out. */
export function assertNoEscalation(by: Principal, permissions: readonly Permission[], what: string): void {
  const missing = permissions.filter((p) => !by.permissions.has(p));
  if (missing.length) throw new Forbidden(`${what} needs ${missing.join(", ")}, which ${by.username} does not hold`);
}

/** Validates a permission list against the closed list; unknown names are an error, not dropped. */
export function parsePermissions(names: readonly string[]): Permission[] {
  const unknown = names.filter((n) => !isPermission(n));
  if (unknown.length) throw new Invalid(`unknown permission(s): ${unknown.join(", ")}`);
  return [...new Set(names as Permission[])].sort();
}

function checkToolProfile(profile: string | null | undefined): string | null {
  if (profile === null || profile === undefined || profile === "") return null;
  if (!TOOL_PROFILE.test(profile)) throw new Invalid("a tool profile name has 1–64 letters, digits, '.', '_' or '-'");
  return profile;
}

export interface RoleInput {
  name: string;
  description?: string;
  permissions: string[];
  toolProfile?: string | null;
}

export async function createRole(sql: Sql, caller: Caller, input: RoleInput): Promise<Role> {
  requirePermission(caller.principal, "roles:manage");
  const name = input.name.trim().toLowerCase();
  if (!ROLE_NAME.test(name))
    throw new Invalid("a role name has 1–32 lower-case letters, digits, '_' or '-' and starts with a letter or digit");
  const permissions = parsePermissions(input.permissions);
  assertNoEscalation(caller.principal, permissions, `role ${name}`);
  const fields = {
    name,
    description: (input.description ?? "").slice(0, 256),
    permissions,
    toolProfile: checkToolProfile(input.toolProfile),
  };
  const now = caller.now;
  try {
    return await sql.begin(async (tx) => {
      const id = await insertRole(tx, fields, now);
      await recordAudit(tx, {
        action: "role.create",
        status: "ok",
        caller,
        target: { resourceType: "role", resourceId: id },
        details: { name, permissions, toolProfile: fields.toolProfile },
      });
      return { id, ...fields, system: false, holders: 0 };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw new Conflict(`a role named ${name} exists already`);
    throw err;
  }
}

export interface RoleChanges {
  description?: string;
  permissions?: string[];
  toolProfile?: string | null;
}

export async function updateRole(sql: Sql, caller: Caller, name: string, changes: RoleChanges): Promise<Role> {
  requirePermission(caller.principal, "roles:manage");
  const role = await getRole(sql, name);
  if (role.system && changes.permissions) throw new Invalid(`the permissions of system role ${role.name} are fixed`);
  const permissions = changes.permissions ? parsePermissions(changes.permissions) : role.permissions;
  // Editing a role its holders' sessions depend on needs what the role grants, before and after.
  assertNoEscalation(
    caller.principal,
    [...new Set([...role.permissions, ...permissions])],
    `changing role ${role.name}`,
  );
  const next = {
    description: changes.description !== undefined ? changes.description.slice(0, 256) : role.description,
    permissions,
    toolProfile: changes.toolProfile !== undefined ? checkToolProfile(changes.toolProfile) : role.toolProfile,
  };
  const permissionsChanged = permissions.join() !== role.permissions.join();
  return sql.begin(async (tx) => {
    await updateRoleRow(
      tx,
      role.id,
      { ...next, permissions: role.system ? role.permissions : permissions },
      caller.now,
    );
    let sessionsEnded = 0;
    if (permissionsChanged) {
      for (const userId of await holdersOfRole(tx, role.id)) sessionsEnded += await endAllSessions(tx, userId);
    }
    await recordAudit(tx, {
      action: "role.update",
      status: "ok",
      caller,
      target: { resourceType: "role", resourceId: role.id },
      details: {
        name: role.name,
        before: { permissions: role.permissions, toolProfile: role.toolProfile },
        after: { permissions, toolProfile: next.toolProfile },
        sessionsEnded,
      },
    });
    return { ...role, ...next };
  });
}

export async function deleteRole(sql: Sql, caller: Caller, name: string): Promise<void> {
  requirePermission(caller.principal, "roles:manage");
  const role = await getRole(sql, name);
  if (role.system) throw new Conflict(`${role.name} is a system role and cannot be deleted`);
  assertNoEscalation(caller.principal, role.permissions, `deleting role ${role.name}`);
  await sql.begin(async (tx) => {
    const holders = await deleteGrantsOfRole(tx, role.id);
    let sessionsEnded = 0;
    for (const userId of holders) sessionsEnded += await endAllSessions(tx, userId);
    await deleteRoleRow(tx, role.id);
    await recordAudit(tx, {
      action: "role.delete",
      status: "ok",
      caller,
      target: { resourceType: "role", resourceId: role.id },
      details: { name: role.name, holders: holders.length, sessionsEnded },
    });
  });
}
