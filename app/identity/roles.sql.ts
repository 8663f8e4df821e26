// Queries of roles and role grants (sql/0002_identity.sql). Permissions come back as stored;
// roles.ts decides what they mean (system roles take theirs from code).
import type { Db } from "./db-handle.ts";

export interface RoleRow {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  toolProfile: string | null;
  system: boolean;
  holders: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface RoleFields {
  name: string;
  description: string;
  permissions: string[];
  toolProfile: string | null;
}

export async function listRoleRows(db: Db): Promise<RoleRow[]> {
  return db<RoleRow[]>`
    select r.id::text as id, r.name, r.description, r.permissions, r.tool_profile as "toolProfile", r.system,
           (select count(*)::int from user_roles ur where ur.role_id = r.id) as holders,
           r.created_at as "createdAt", r.updated_at as "updatedAt"
    from roles r order by r.system desc, lower(r.name)`;
}

export async function findRoleRow(db: Db, name: string): Promise<RoleRow | null> {
  const rows = await db<RoleRow[]>`
    select r.id::text as id, r.name, r.description, r.permissions, r.tool_profile as "toolProfile", r.system,
           (select count(*)::int from user_roles ur where ur.role_id = r.id) as holders,
           r.created_at as "createdAt", r.updated_at as "updatedAt"
    from roles r where lower(r.name) = lower(${name})`;
  return rows[0] ?? null;
}

/** Ids of the named roles that exist (names compared case-insensitively). */
export async function roleIdsByName(db: Db, names: string[]): Promise<{ id: string; name: string }[]> {
  const lower = names.map((n) => n.toLowerCase());
  return db<{ id: string; name: string }[]>`
    select id::text as id, name from roles where lower(name) = any(${lower}::text[])`;
}

export async function insertRole(db: Db, role: RoleFields, now: Date): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into roles (name, description, permissions, tool_profile, system, created_at, updated_at)
    values (${role.name}, ${role.description}, ${role.permissions}::text[], ${role.toolProfile}, false, ${now}, ${now})
    returning id::text as id`;
  return row!.id;
}

export async function updateRoleRow(db: Db, id: string, role: Omit<RoleFields, "name">, now: Date): Promise<void> {
  await db`update roles set description = ${role.description}, permissions = ${role.permissions}::text[],
                            tool_profile = ${role.toolProfile}, updated_at = ${now}
           where id = ${id}`;
}

export async function deleteRoleRow(db: Db, id: string): Promise<void> {
  await db`delete from roles where id = ${id} and not system`;
}

/** True if the grant is new. */
export async function insertGrant(db: Db, userId: string, roleId: string, now: Date): Promise<boolean> {
  const rows = await db`insert into user_roles (user_id, role_id, granted_at) values (${userId}, ${roleId}, ${now})
                        on conflict do nothing returning role_id`;
  return rows.length > 0;
}

/** True if there was a grant to remove. */
export async function deleteGrant(db: Db, userId: string, roleId: string): Promise<boolean> {
  const rows = await db`delete from user_roles where user_id = ${userId} and role_id = ${roleId} returning role_id`;
  return rows.length > 0;
}

/** Removes every grant of a role; returns the users who held it. */
export async function deleteGrantsOfRole(db: Db, roleId: string): Promise<string[]> {
  const rows = await db<{ userId: string }[]>`
    delete from user_roles where role_id = ${roleId} returning user_id::text as "userId"`;
  return rows.map((r) => r.userId);
}

export async function holdersOfRole(db: Db, roleId: string): Promise<string[]> {
  const rows = await db<
    { userId: string }[]
  >`select user_id::text as "userId" from user_roles where role_id = ${roleId}`;
  return rows.map((r) => r.userId);
}
