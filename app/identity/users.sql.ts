// Queries of users and their cluster access (sql/0002_identity.sql). Columns are listed
// explicitly and aliased to camelCase here; the password hash is only read by the one query
// login needs and never returned in a listing.
import { isUuid, type Db } from "./db-handle.ts";

export type UserKind = "person" | "service";

export interface UserRow {
  id: string;
  username: string;
  kind: UserKind;
  email: string | null;
  displayName: string | null;
  active: boolean;
  mustChangePassword: boolean;
  allClusters: boolean;
  createdAt: Date;
  updatedAt: Date;
  lastLoginAt: Date | null;
  passwordChangedAt: Date | null;
}

export interface UserListing extends UserRow {
  roles: string[];
  clusters: string[];
}

export interface NewUserRow {
  username: string;
  kind: UserKind;
  email: string | null;
  displayName: string | null;
  passwordHash: string | null;
  mustChangePassword: boolean;
  allClusters: boolean;
  now: Date;
}

export interface Credentials {
  id: string;
  username: string;
  kind: UserKind;
  active: boolean;
  passwordHash: string | null;
  mustChangePassword: boolean;
}

export async function insertUser(db: Db, u: NewUserRow): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into users (username, kind, email, display_name, password_hash, must_change_password,
                       all_clusters, created_at, updated_at, password_changed_at)
    values (${u.username}, ${u.kind}, ${u.email}, ${u.displayName}, ${u.passwordHash}, ${u.mustChangePassword},
            ${u.allClusters}, ${u.now}, ${u.now}, ${u.passwordHash ? u.now : null})
    returning id::text as id`;
  return row!.id;
}

export async function findUserByName(db: Db, username: string): Promise<UserRow | null> {
  const rows = await db<UserRow[]>`
    select id::text as id, username, kind, email, display_name as "displayName", active,
           must_change_password as "mustChangePassword", all_clusters as "allClusters",
           created_at as "createdAt", updated_at as "updatedAt", last_login_at as "lastLoginAt",
           password_changed_at as "passwordChangedAt"
    from users where lower(username) = lower(${username})`;
  return rows[0] ?? null;
}

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  if (!isUuid(id)) return null;
  const rows = await db<UserRow[]>`
    select id::text as id, username, kind, email, display_name as "displayName", active,
           must_change_password as "mustChangePassword", all_clusters as "allClusters",
           created_at as "createdAt", updated_at as "updatedAt", last_login_at as "lastLoginAt",
           password_changed_at as "passwordChangedAt"
    from users where id = ${id}`;
  return rows[0] ?? null;
}

/** The one query that reads a password hash: login and password change. */
export async function findCredentials(db: Db, by: { username: string } | { id: string }): Promise<Credentials | null> {
  if ("id" in by && !isUuid(by.id)) return null;
  const rows =
    "id" in by
      ? await db<Credentials[]>`
          select id::text as id, username, kind, active, password_hash as "passwordHash",
                 must_change_password as "mustChangePassword"
          from users where id = ${by.id}`
      : await db<Credentials[]>`
          select id::text as id, username, kind, active, password_hash as "passwordHash",
                 must_change_password as "mustChangePassword"
          from users where lower(username) = lower(${by.username})`;
  return rows[0] ?? null;
}

export async function listUsers(db: Db): Promise<UserListing[]> {
  return db<UserListing[]>`
    select u.id::text as id, u.username, u.kind, u.email, u.display_name as "displayName", u.active,
           u.must_change_password as "mustChangePassword", u.all_clusters as "allClusters",
           u.created_at as "createdAt", u.updated_at as "updatedAt", u.last_login_at as "lastLoginAt",
           u.password_changed_at as "passwordChangedAt",
           coalesce((select array_agg(r.name order by r.name) from user_roles ur join roles r on r.id = ur.role_id
                     where ur.user_id = u.id), '{}') as roles,
           coalesce((select array_agg(c.cluster_id order by c.cluster_id) from user_clusters c
                     where c.user_id = u.id), '{}') as clusters
    from users u order by lower(u.username)`;
}

export async function setActive(db: Db, id: string, active: boolean, now: Date): Promise<boolean> {
  const rows = await db`update users set active = ${active}, updated_at = ${now} where id = ${id} returning id`;
  return rows.length > 0;
}

export async function setPasswordHash(db: Db, id: string, hash: string, mustChange: boolean, now: Date): Promise<void> {
  await db`update users set password_hash = ${hash}, must_change_password = ${mustChange},
                            password_changed_at = ${now}, updated_at = ${now}
           where id = ${id}`;
}

/** A rehash on login: same password, new parameters; not a password change. */
export async function replaceHash(db: Db, id: string, hash: string): Promise<void> {
  await db`update users set password_hash = ${hash} where id = ${id}`;
}

export async function setLastLogin(db: Db, id: string, now: Date): Promise<void> {
  await db`update users set last_login_at = ${now} where id = ${id}`;
}

export async function setProfile(
  db: Db,
  id: string,
  profile: { email: string | null; displayName: string | null },
  now: Date,
): Promise<void> {
  await db`update users set email = ${profile.email}, display_name = ${profile.displayName}, updated_at = ${now}
           where id = ${id}`;
}

export async function setClusterAccess(db: Db, id: string, access: "all" | string[], now: Date): Promise<void> {
  await db`update users set all_clusters = ${access === "all"}, updated_at = ${now} where id = ${id}`;
  await db`delete from user_clusters where user_id = ${id}`;
  if (access !== "all" && access.length) {
    await db`insert into user_clusters (user_id, cluster_id)
             select ${id}::uuid, unnest(${access}::text[]) on conflict do nothing`;
  }
}

export async function deleteUserRow(db: Db, id: string): Promise<boolean> {
  const rows = await db`delete from users where id = ${id} returning id`;
  return rows.length > 0;
}

export async function countPeople(db: Db): Promise<number> {
  const [row] = await db<{ n: number }[]>`select count(*)::int as n from users where kind = 'person'`;
  return row!.n;
}

/** Inserts a service user unless one with that name exists; the new id, or null. */
export async function insertServiceUserIfMissing(db: Db, username: string, now: Date): Promise<string | null> {
  const rows = await db<{ id: string }[]>`
    insert into users (username, kind, active, must_change_password, all_clusters, created_at, updated_at)
    values (${username}, 'service', true, false, false, ${now}, ${now})
    on conflict ((lower(username))) do nothing
    returning id::text as id`;
  return rows[0]?.id ?? null;
}
