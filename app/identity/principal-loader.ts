/**
 * Builds the Principal of a user from its database row.
 *
 * Guarantees: permissions are the union of the user's roles, restricted to the closed list (a
 * name no longer in code grants nothing); a system role's permissions come from code
 * (SYSTEM_ROLES), never from the row; cluster access is "all" only when the user was given all.
 */
import type { Db } from "./db-handle.ts";
import { isPermission, SYSTEM_ROLES, type Permission } from "./permissions.ts";
import type { Principal } from "./principal.ts";
import { loadPrincipalRow, type PrincipalRow, type RoleGrant } from "./principal-loader.sql.ts";

export function rolePermissions(role: Pick<RoleGrant, "name" | "system" | "permissions">): Permission[] {
  if (role.system && role.name in SYSTEM_ROLES) return [...SYSTEM_ROLES[role.name as keyof typeof SYSTEM_ROLES]];
  return role.permissions.filter(isPermission);
}

export function buildPrincipal(row: PrincipalRow, via: Principal["via"]): Principal {
  const permissions = new Set<Permission>();
  for (const role of row.roles) for (const p of rolePermissions(role)) permissions.add(p);
  return {
    userId: row.userId,
    username: row.username,
    active: row.active,
    roles: row.roles.map((r) => r.name),
    permissions,
    clusterAccess: row.allClusters ? "all" : [...row.clusters],
    // Roles come ordered by name; the first that names a profile decides, so the choice is
    // stable and visible (the UI lists roles in the same order).
    toolProfile: row.roles.find((r) => r.toolProfile)?.toolProfile ?? null,
    via,
    mustChangePassword: row.mustChangePassword,
  };
}

export async function loadPrincipal(db: Db, userId: string, via: Principal["via"]): Promise<Principal | null> {
  const row = await loadPrincipalRow(db, userId);
  return row ? buildPrincipal(row, via) : null;
}
