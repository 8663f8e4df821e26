/** Queries of directories, their group mappings and directory users (sql/0008_directory.sql). */
import type { Db } from "../secrets/db-handle.ts";
import type { Directory, GroupMapping } from "./directory-config.ts";

function columns(db: Db) {
  return db`
    id::text as id, name, kind, url, ca_pem as "caPem", bind_dn as "bindDn",
    bind_password_sealed is not null as "hasBindPassword", user_base as "userBase", user_filter as "userFilter",
    username_attribute as "usernameAttribute", disabled_filter as "disabledFilter", group_base as "groupBase",
    timeout_ms as "timeoutMs", enabled`;
}

export async function selectDirectories(db: Db): Promise<Directory[]> {
  return db<Directory[]>`select ${columns(db)} from directories order by position, lower(name)`;
}

export async function selectDirectory(db: Db, idOrName: string): Promise<Directory | undefined> {
  const [row] = await db<Directory[]>`
    select ${columns(db)} from directories where id::text = ${idOrName} or lower(name) = lower(${idOrName})`;
  return row;
}

export async function selectBindPassword(db: Db, id: string): Promise<string | null> {
  const [row] = await db<
    { sealed: string | null }[]
  >`select bind_password_sealed as sealed from directories where id = ${id}`;
  return row?.sealed ?? null;
}

export interface DirectoryRow extends Omit<Directory, "hasBindPassword" | "enabled"> {
  createdBy: string | null;
}

export async function insertDirectory(db: Db, r: DirectoryRow): Promise<void> {
  await db`
    insert into directories (id, name, kind, url, ca_pem, bind_dn, user_base, user_filter, username_attribute,
                             disabled_filter, group_base, timeout_ms, position, created_by)
    values (${r.id}, ${r.name}, ${r.kind}, ${r.url}, ${r.caPem}, ${r.bindDn}, ${r.userBase}, ${r.userFilter},
            ${r.usernameAttribute}, ${r.disabledFilter}, ${r.groupBase}, ${r.timeoutMs},
            (select coalesce(max(position), 0) + 1 from directories), ${r.createdBy})`;
}

export async function updateBindPassword(db: Db, id: string, sealed: string): Promise<void> {
  await db`update directories set bind_password_sealed = ${sealed}, updated_at = now() where id = ${id}`;
}

export async function deleteDirectory(db: Db, id: string): Promise<void> {
  await db`delete from directories where id = ${id}`;
}

export async function selectMappings(db: Db, directoryId: string): Promise<GroupMapping[]> {
  return db<GroupMapping[]>`
    select id::text as id, group_dn as "groupDn", role_name as "roleName", clusters
      from directory_group_mappings where directory_id = ${directoryId} order by id`;
}

export async function insertMapping(db: Db, directoryId: string, m: Omit<GroupMapping, "id">): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into directory_group_mappings (directory_id, group_dn, role_name, clusters)
    values (${directoryId}, ${m.groupDn}, ${m.roleName}, ${m.clusters}) returning id::text as id`;
  return row!.id;
}

export async function deleteMapping(db: Db, directoryId: string, id: string): Promise<boolean> {
  const rows =
    await db`delete from directory_group_mappings where directory_id = ${directoryId} and id::text = ${id} returning 1`;
  return rows.length === 1;
}

export interface DirectoryUserRow {
  id: string;
  username: string;
  active: boolean;
  directoryId: string | null;
  directoryDn: string | null;
  directoryCheckedAt: Date | null;
}

export async function findLocalSource(
  db: Db,
  username: string,
): Promise<{ id: string; source: "local" | "directory"; directoryId: string | null } | null> {
  const [row] = await db<{ id: string; source: "local" | "directory"; directoryId: string | null }[]>`
    select id::text as id, source, directory_id::text as "directoryId" from users where lower(username) = lower(${username})`;
  return row ?? null;
}

export async function selectDirectoryUsers(db: Db): Promise<DirectoryUserRow[]> {
  return db<DirectoryUserRow[]>`
    select id::text as id, username, active, directory_id::text as "directoryId", directory_dn as "directoryDn",
           directory_checked_at as "directoryCheckedAt"
      from users where source = 'directory' order by username`;
}

export async function insertDirectoryUser(
  db: Db,
  u: { username: string; directoryId: string; dn: string; email: string | null; displayName: string | null; now: Date },
): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into users (username, kind, email, display_name, password_hash, must_change_password, all_clusters,
                       created_at, updated_at, source, directory_id, directory_dn, directory_checked_at)
    values (${u.username}, 'person', ${u.email}, ${u.displayName}, null, false, false,
            ${u.now}, ${u.now}, 'directory', ${u.directoryId}, ${u.dn}, ${u.now})
    returning id::text as id`;
  return row!.id;
}

export async function refreshDirectoryUser(
  db: Db,
  id: string,
  u: { dn: string; email: string | null; displayName: string | null; now: Date },
): Promise<void> {
  await db`
    update users set directory_dn = ${u.dn}, email = ${u.email}, display_name = ${u.displayName},
                     directory_checked_at = ${u.now}, updated_at = ${u.now}
     where id = ${id}`;
}

export async function markChecked(db: Db, id: string, now: Date): Promise<void> {
  await db`update users set directory_checked_at = ${now} where id = ${id}`;
}

export async function replaceRoles(db: Db, userId: string, roleNames: string[], now: Date): Promise<void> {
  await db`delete from user_roles where user_id = ${userId}`;
  if (roleNames.length) {
    await db`
      insert into user_roles (user_id, role_id, granted_at)
      select ${userId}, id, ${now} from roles where lower(name) = any(${roleNames.map((n) => n.toLowerCase())})`;
  }
}

export async function replaceClusterAccess(
  db: Db,
  userId: string,
  clusters: "all" | string[],
  now: Date,
): Promise<void> {
  await db`update users set all_clusters = ${clusters === "all"}, updated_at = ${now} where id = ${userId}`;
  await db`delete from user_clusters where user_id = ${userId}`;
  if (clusters !== "all" && clusters.length) {
    await db`
      insert into user_clusters (user_id, cluster_id)
      select ${userId}, id::text from clusters where lower(name) = any(${clusters.map((n) => n.toLowerCase())})`;
  }
}
