/**
 * Managing directories (LDAP / AD) and their group mappings; logging a directory user in.
 *
 * Guarantees: configuring needs `users:manage` (checked here) and is audited in the same
 * transaction; the bind password is sealed before it is stored and never returned; a directory
 * user's roles and cluster access are replaced from the mappings at every login, inside the
 * login's transaction, so a user removed from a group loses what it granted at once; a directory
 * user whose groups map to no role is refused (no account with nothing to do); the user's
 * password is used for one bind and never stored.
 */
import { randomUUID } from "node:crypto";
import type { AuditAction } from "../audit/audit-actions.ts";
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import { checkCaPem } from "../clusters/cluster-input.ts";
import { Conflict, Invalid, NotFound } from "../errors.ts";
import type { Caller } from "../identity/caller.ts";
import { requirePermission } from "../identity/authorize.ts";
import { prepareToSeal, type Keyring } from "../secrets/keyring.ts";
import { open, seal } from "../secrets/seal.ts";
import { bindingFor, sealedColumn } from "../secrets/sealed-columns.ts";
import type { Db } from "../secrets/db-handle.ts";
import {
  checkAttribute,
  checkDn,
  checkFilter,
  checkKind,
  checkName,
  checkTimeout,
  DEFAULTS,
  parseEndpoint,
  type Directory,
  type GroupMapping,
  type NewDirectory,
} from "./directory-config.ts";
import { authenticate, probe, type AuthOutcome, type Connection, type DirectoryAccount } from "./ldap-lookup.ts";
import {
  deleteDirectory,
  deleteMapping,
  findLocalSource,
  insertDirectory,
  insertDirectoryUser,
  insertMapping,
  refreshDirectoryUser,
  replaceClusterAccess,
  replaceRoles,
  selectBindPassword,
  selectDirectories,
  selectDirectory,
  selectMappings,
  updateBindPassword,
} from "./directory.sql.ts";

const PASSWORD_COLUMN = sealedColumn("directories", "bind_password_sealed");

export interface DirectoryDeps {
  keyring: Keyring;
}

export async function listDirectories(db: Db, caller: Caller): Promise<(Directory & { mappings: GroupMapping[] })[]> {
  requirePermission(caller.principal, "users:manage");
  const rows = await selectDirectories(db);
  return Promise.all(rows.map(async (d) => ({ ...d, mappings: await selectMappings(db, d.id) })));
}

export async function addDirectory(
  sql: Sql,
  caller: Caller,
  input: NewDirectory,
  deps: DirectoryDeps,
): Promise<Directory> {
  requirePermission(caller.principal, "users:manage");
  const kind = checkKind(input.kind);
  const defaults = DEFAULTS[kind];
  const name = checkName(input.name);
  const endpoint = parseEndpoint(input.url);
  if (!input.bindPassword) throw new Invalid("the service account needs a password: --bind-password-file FILE");
  const id = randomUUID();
  const row = {
    id,
    name,
    kind,
    url: endpoint.url,
    caPem: checkCaPem(input.caPem),
    bindDn: checkDn(input.bindDn, "bind DN"),
    userBase: checkDn(input.userBase, "user search base"),
    groupBase: checkDn(input.groupBase ?? input.userBase, "group search base"),
    userFilter: checkFilter(input.userFilter ?? defaults.userFilter, "user filter"),
    usernameAttribute: checkAttribute(input.usernameAttribute ?? defaults.usernameAttribute),
    disabledFilter:
      input.disabledFilter === null
        ? null
        : checkFilter(input.disabledFilter ?? defaults.disabledFilter ?? "", "disabled filter"),
    timeoutMs: checkTimeout(input.timeoutMs),
    createdBy: caller.principal.username,
  };
  await sql.begin(async (tx) => {
    if (await selectDirectory(tx, name)) throw new Conflict(`a directory named ${name} already exists`);
    await insertDirectory(tx, row);
    await prepareToSeal(tx, deps.keyring);
    await updateBindPassword(tx, id, seal(deps.keyring, input.bindPassword, bindingFor(PASSWORD_COLUMN, id)));
    await recordAudit(
      tx,
      event(caller, "directory.add", id, {
        name,
        kind,
        url: row.url,
        bindDn: row.bindDn,
        userBase: row.userBase,
        groupBase: row.groupBase,
      }),
    );
  });
  return (await selectDirectory(sql, id))!;
}

export async function removeDirectory(sql: Sql, caller: Caller, name: string): Promise<void> {
  requirePermission(caller.principal, "users:manage");
  await sql.begin(async (tx) => {
    const d = await mustFind(tx, name);
    await deleteDirectory(tx, d.id);
    await recordAudit(tx, event(caller, "directory.remove", d.id, { name: d.name }));
  });
}

export async function mapGroup(
  sql: Sql,
  caller: Caller,
  name: string,
  m: { groupDn: string; roleName?: string | null; clusters?: string[] },
): Promise<string> {
  requirePermission(caller.principal, "users:manage");
  const groupDn = checkDn(m.groupDn, "group DN");
  const roleName = m.roleName?.trim().toLowerCase() || null;
  const clusters = (m.clusters ?? []).map((c) => c.trim()).filter(Boolean);
  if (!roleName && clusters.length === 0)
    throw new Invalid("a mapping gives a role (--role) or clusters (--clusters a,b or *), or both");
  return sql.begin(async (tx) => {
    const d = await mustFind(tx, name);
    if (roleName) {
      const [role] = await tx<
        { permissions: string[] }[]
      >`select permissions from roles where lower(name) = ${roleName}`;
      if (!role) throw new Invalid(`unknown role ${roleName}; \`role list\` shows them`);
      // Mapping a group to a role grants it to whoever is in the group: no more than one holds.
      const missing = role.permissions.filter((p) => !caller.principal.permissions.has(p as never));
      if (missing.length)
        throw new Invalid(
          `mapping a group to role ${roleName} would grant ${missing.join(", ")}, which you do not hold`,
        );
    }
    const id = await insertMapping(tx, d.id, { groupDn, roleName, clusters });
    await recordAudit(tx, event(caller, "directory.map", d.id, { name: d.name, groupDn, role: roleName, clusters }));
    return id;
  });
}

export async function unmapGroup(sql: Sql, caller: Caller, name: string, mappingId: string): Promise<void> {
  requirePermission(caller.principal, "users:manage");
  await sql.begin(async (tx) => {
    const d = await mustFind(tx, name);
    if (!(await deleteMapping(tx, d.id, mappingId)))
      throw new NotFound(`directory ${d.name} has no mapping ${mappingId}`);
    await recordAudit(tx, event(caller, "directory.unmap", d.id, { name: d.name, mapping: mappingId }));
  });
}

/** The test button: bind with the service account, find the named user, list their groups. */
export async function testDirectory(
  sql: Sql,
  caller: Caller,
  input: { name: string; username: string },
  deps: DirectoryDeps,
) {
  requirePermission(caller.principal, "users:manage");
  const d = await mustFind(sql, input.name);
  return probe(await connection(sql, deps.keyring, d), input.username);
}

export async function connection(db: Db, keyring: Keyring, d: Directory): Promise<Connection> {
  const sealed = await selectBindPassword(db, d.id);
  return { directory: d, bindPassword: sealed ? open(keyring, sealed, bindingFor(PASSWORD_COLUMN, d.id)) : "" };
}

export interface DirectoryGrant {
  roles: string[];
  clusters: "all" | string[];
}

/** What the user's groups grant under the directory's mappings (group DNs compared case-insensitively). */
export function grantsFor(groups: string[], mappings: GroupMapping[]): DirectoryGrant {
  const held = new Set(groups.map((g) => normaliseDn(g)));
  const roles = new Set<string>();
  const clusters = new Set<string>();
  for (const m of mappings) {
    if (!held.has(normaliseDn(m.groupDn))) continue;
    if (m.roleName) roles.add(m.roleName);
    for (const c of m.clusters) clusters.add(c);
  }
  return { roles: [...roles].sort(), clusters: clusters.has("*") ? "all" : [...clusters].sort() };
}

const normaliseDn = (dn: string) => dn.toLowerCase().replace(/\s*([,=])\s*/g, "$1");

export type DirectoryLogin =
  | { ok: true; userId: string; account: DirectoryAccount; grant: DirectoryGrant; directory: string }
  | { ok: false; reason: string; directory?: string };

/**
 * Tries the enabled directories in order for a user who is not a local account. The first
 * directory that knows the username decides; an unavailable directory is skipped only when
 * another one knows the user, otherwise the login fails with `DirectoryUnavailable`.
 * Provisioning (user row, roles, cluster access) runs in `tx`, the login's transaction.
 */
export async function authenticateDirectoryUser(
  sql: Sql,
  keyring: Keyring,
  username: string,
  password: string,
): Promise<{ outcome: AuthOutcome; directory: Directory } | null> {
  const local = await findLocalSource(sql, username);
  if (local?.source === "local") return null;
  const directories = (await selectDirectories(sql)).filter(
    (d) => d.enabled && (!local?.directoryId || d.id === local.directoryId),
  );
  let unavailable: Error | null = null;
  for (const d of directories) {
    try {
      const outcome = await authenticate(await connection(sql, keyring, d), username, password);
      if (!outcome.ok && outcome.reason === "unknown user") continue;
      return { outcome, directory: d };
    } catch (err) {
      unavailable ??= err as Error;
    }
  }
  if (unavailable) throw unavailable;
  return null;
}

/** Creates or refreshes the local record of a directory user and applies the group mappings. */
export async function provisionDirectoryUser(
  tx: Db,
  d: Directory,
  account: DirectoryAccount,
  groups: string[],
  now: Date,
): Promise<{ userId: string; grant: DirectoryGrant }> {
  const grant = grantsFor(groups, await selectMappings(tx, d.id));
  const existing = await findLocalSource(tx, account.username);
  let userId: string;
  if (existing) {
    if (existing.source !== "directory") throw new Conflict(`${account.username} is a local account`);
    userId = existing.id;
    await refreshDirectoryUser(tx, userId, {
      dn: account.dn,
      email: account.email,
      displayName: account.displayName,
      now,
    });
  } else {
    userId = await insertDirectoryUser(tx, {
      username: account.username,
      directoryId: d.id,
      dn: account.dn,
      email: account.email,
      displayName: account.displayName,
      now,
    });
  }
  await replaceRoles(tx, userId, grant.roles, now);
  await replaceClusterAccess(tx, userId, grant.clusters, now);
  return { userId, grant };
}

async function mustFind(db: Db, name: string): Promise<Directory> {
  const d = await selectDirectory(db, name);
  if (!d) throw new NotFound(`no directory named ${name}; \`directory list\` shows them`);
  return d;
}

function event(caller: Caller, action: AuditAction, id: string, details: Record<string, unknown>) {
  return { action, status: "ok" as const, caller, target: { resourceType: "directory", resourceId: id }, details };
}
