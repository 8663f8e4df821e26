import { afterAll, expect, test } from "bun:test";
import { Conflict, Forbidden, Invalid, NotFound } from "../../app/errors.ts";
import { systemPrincipal } from "../../app/identity/actor.ts";
import { createApiToken, resolveApiToken } from "../../app/identity/api-tokens.ts";
import { login } from "../../app/identity/login.ts";
import { resetPassword } from "../../app/identity/password-change.ts";
import { loadPrincipal } from "../../app/identity/principals.ts";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../../app/identity/roles.ts";
import { resolveSession, DEFAULT_SESSION_SETTINGS } from "../../app/identity/sessions.ts";
import { createUser, grantRole, listUsers, revokeRole, setUserActive, setUserClusters, updateProfile } from "../../app/identity/users.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, auditRows, cli, fastHasher, loginDeps, PASSWORD, uniqueName } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
afterAll(() => db.close());
const deps = { passwords: fastHasher };

async function count(table: "users" | "user_roles" | "user_clusters"): Promise<number> {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
  return row!.n;
}

test("create a user with roles and clusters; the audit row is written, without the password", async () => {
  const { user } = await createUser(sql, { username: "Carol", email: "carol@example.net", displayName: "Carol C", password: PASSWORD, roles: ["operator"], clusters: ["c1", "c2"] }, cli(), deps);
  expect(user).toMatchObject({ username: "Carol", email: "carol@example.net", displayName: "Carol C", active: true, mustChangePassword: false, allClusters: false, kind: "person" });
  const p = await loadPrincipal(sql, user.id, "session");
  expect(p?.roles).toEqual(["operator"]);
  expect(p?.clusterAccess).toEqual(["c1", "c2"]);
  const [audit] = (await auditRows(sql, "user.create")).filter((r) => r.resource_id === user.id);
  expect(audit).toMatchObject({ status: "ok", username: "cli", details: { username: "Carol", roles: ["operator"], clusters: ["c1", "c2"] } });
  expect(JSON.stringify(audit)).not.toContain(PASSWORD);
});

test("without a password one is generated, returned once and must be changed", async () => {
  const r = await createUser(sql, { username: uniqueName() }, cli(), deps);
  expect(r.generatedPassword).toHaveLength(20);
  expect(r.user.mustChangePassword).toBe(true);
  expect((await loadPrincipal(sql, r.user.id, "session"))?.clusterAccess).toEqual([]);
});

test("duplicate usernames are refused regardless of case, nothing half-written", async () => {
  await addUser(sql, { username: "Dave" });
  const before = await count("users");
  await expect(createUser(sql, { username: "dAVE", password: PASSWORD }, cli(), deps)).rejects.toThrow(Conflict);
  expect(await count("users")).toBe(before);
});

test("bad input is refused before anything is written", async () => {
  const before = [await count("users"), await count("user_roles"), await count("user_clusters")];
  const cases: [Parameters<typeof createUser>[1], RegExp][] = [
    [{ username: "eve", password: "short" }, /at least 12/],
    [{ username: "eve", password: "password1234" }, /too common/],
    [{ username: "eve.long.name", password: "EVE.LONG.NAME" }, /must not be the username/],
    [{ username: "bad name", password: PASSWORD }, /username has/],
    [{ username: "eve", password: PASSWORD, roles: ["viewer", "no-such-role"] }, /unknown role no-such-role/],
    [{ username: "eve", password: PASSWORD, email: "not an email" }, /email/],
  ];
  for (const [input, message] of cases) {
    const err = await createUser(sql, { clusters: ["c1"], ...input }, cli(), deps).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.message).toMatch(message);
    if (input.password) expect(err.message).not.toContain(input.password);
  }
  expect([await count("users"), await count("user_roles"), await count("user_clusters")]).toEqual(before);
});

test("acting without users:manage is forbidden; nobody grants what they do not hold", async () => {
  const viewer = await addUser(sql);
  const by = (await loadPrincipal(sql, viewer.id, "session"))!;
  await expect(createUser(sql, { username: uniqueName(), password: PASSWORD }, { by }, deps)).rejects.toThrow(Forbidden);
  // A helpdesk role may manage users but not hand out admin, nor take over an admin.
  await createRole(sql, { name: "helpdesk", permissions: ["users:manage", "clusters:use", "mcp:read", "tokens:own"] }, cli());
  const helper = await addUser(sql, { roles: ["helpdesk"] });
  const helperP = (await loadPrincipal(sql, helper.id, "session"))!;
  const target = await addUser(sql);
  await expect(grantRole(sql, target.username, "admin", { by: helperP })).rejects.toThrow(/needs .*users:manage|needs/);
  expect(await grantRole(sql, target.username, "viewer", { by: helperP })).toBe(false);
  const admin = await addUser(sql, { roles: ["admin"] });
  await expect(resetPassword(sql, { username: admin.username }, { by: helperP }, deps)).rejects.toThrow(Forbidden);
  await expect(setUserActive(sql, admin.username, false, { by: helperP })).rejects.toThrow(Forbidden);
  await expect(createRole(sql, { name: "sneaky", permissions: ["settings:manage"] }, { by: helperP })).rejects.toThrow(Forbidden);
});

test("granting and revoking a role ends the user's sessions and is audited", async () => {
  const u = await addUser(sql);
  const s = await login(sql, { username: u.username, password: u.password, clientIp: "10.1.0.1" }, loginDeps());
  expect(await grantRole(sql, u.username, "operator", cli())).toBe(true);
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await grantRole(sql, u.username, "OPERATOR", cli())).toBe(false);
  const s2 = await login(sql, { username: u.username, password: u.password, clientIp: "10.1.0.1" }, loginDeps());
  expect(s2.principal.permissions.has("mcp:write")).toBe(true);
  expect(await revokeRole(sql, u.username, "operator", cli())).toBe(true);
  expect(await resolveSession(sql, s2.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await revokeRole(sql, u.username, "operator", cli())).toBe(false);
  const rows = (await auditRows(sql)).filter((r) => r.action.startsWith("user.role") && r.details.username === u.username);
  expect(rows.map((r) => [r.action, r.details.sessionsEnded])).toEqual([["user.role.grant", 1], ["user.role.revoke", 1]]);
});

test("deactivation ends every session and revokes every token; re-enabling restores neither", async () => {
  const u = await addUser(sql);
  const s = await login(sql, { username: u.username, password: u.password }, loginDeps());
  const t = await createApiToken(sql, { username: u.username, name: "claude" }, cli());
  expect(await resolveApiToken(sql, t.token)).not.toBeNull();
  const r = await setUserActive(sql, u.username, false, cli());
  expect(r).toEqual({ changed: true, sessionsEnded: 1, tokensRevoked: 1 });
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await resolveApiToken(sql, t.token)).toBeNull();
  await expect(login(sql, { username: u.username, password: u.password, clientIp: "10.9.9.9" }, loginDeps())).rejects.toThrow("invalid username or password");
  await setUserActive(sql, u.username, true, cli());
  expect(await resolveApiToken(sql, t.token)).toBeNull();
  // The failed attempt above started a 1 s back-off for this username.
  const later = new Date(Date.now() + 2000);
  expect((await login(sql, { username: u.username, password: u.password, clientIp: "10.9.9.8" }, loginDeps({ now: later }))).token).toBeString();
  const actions = (await auditRows(sql)).filter((x) => x.details.username === u.username).map((x) => x.action);
  expect(actions).toContain("user.disable");
  expect(actions).toContain("user.enable");
});

test("listing, cluster access and profile edits", async () => {
  const u = await addUser(sql, { clusters: ["c1"] });
  await setUserClusters(sql, u.username, "all", cli());
  expect((await loadPrincipal(sql, u.id, "session"))?.clusterAccess).toBe("all");
  await setUserClusters(sql, u.username, ["c3", "c2", "c3"], cli());
  expect((await loadPrincipal(sql, u.id, "session"))?.clusterAccess).toEqual(["c2", "c3"]);
  const self = (await loadPrincipal(sql, u.id, "session"))!;
  await updateProfile(sql, u.username, { displayName: "New Name" }, { by: self });
  const other = await addUser(sql);
  await expect(updateProfile(sql, other.username, { displayName: "x" }, { by: self })).rejects.toThrow(Forbidden);
  const listed = (await listUsers(sql, cli())).find((x) => x.username === u.username)!;
  expect(listed).toMatchObject({ displayName: "New Name", roles: ["viewer"], clusters: ["c2", "c3"], allClusters: false });
  expect(Object.keys(listed)).not.toContain("passwordHash");
  await expect(setUserActive(sql, "nobody-here", false, cli())).rejects.toThrow(NotFound);
});

test("roles: system roles are fixed and undeletable; custom roles checked against the closed list", async () => {
  expect((await listRoles(sql)).slice(0, 3).map((r) => [r.name, r.system])).toEqual([["admin", true], ["operator", true], ["viewer", true]]);
  await expect(deleteRole(sql, "viewer", cli())).rejects.toThrow(Conflict);
  await expect(updateRole(sql, "viewer", { permissions: ["mcp:write"] }, cli())).rejects.toThrow(Invalid);
  const viewer = await updateRole(sql, "viewer", { toolProfile: "compact" }, cli());
  expect(viewer.toolProfile).toBe("compact");
  await updateRole(sql, "viewer", { toolProfile: null }, cli());
  await expect(createRole(sql, { name: "x", permissions: ["mcp:read", "root:everything"] }, cli())).rejects.toThrow(/unknown permission\(s\): root:everything/);
  await expect(createRole(sql, { name: "Bad Name", permissions: [] }, cli())).rejects.toThrow(Invalid);
  const role = await createRole(sql, { name: "auditor", permissions: ["audit:read", "audit:export"], toolProfile: "audit" }, cli());
  expect(role).toMatchObject({ name: "auditor", system: false, permissions: ["audit:export", "audit:read"], toolProfile: "audit" });
  await expect(createRole(sql, { name: "AUDITOR", permissions: [] }, cli())).rejects.toThrow(Conflict);
  const u = await addUser(sql, { roles: ["auditor"] });
  expect((await loadPrincipal(sql, u.id, "session"))?.toolProfile).toBe("audit");
  const s = await login(sql, { username: u.username, password: u.password }, loginDeps());
  await updateRole(sql, "auditor", { permissions: ["audit:read"] }, cli());
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  await deleteRole(sql, "auditor", cli());
  await expect(getRole(sql, "auditor")).rejects.toThrow(NotFound);
  expect((await loadPrincipal(sql, u.id, "session"))?.roles).toEqual([]);
  expect((await auditRows(sql)).filter((r) => r.action.startsWith("role.")).map((r) => r.action)).toEqual(expect.arrayContaining(["role.create", "role.update", "role.delete"]));
});

test("the console principal is 'cli' in audit rows and holds every permission", () => {
  const p = systemPrincipal("cli");
  expect(p.via).toBe("cli");
  expect(p.permissions.size).toBeGreaterThan(10);
});
