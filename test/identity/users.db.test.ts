import { afterAll, expect, test } from "bun:test";
import { Conflict, Forbidden, Invalid, NotFound } from "../../app/errors.ts";
import { callerFor, cliCaller } from "../support/callers.ts";
import { createApiToken, resolveApiToken } from "../../app/identity/api-tokens.ts";
import { login } from "../../app/identity/login.ts";
import { resetPassword } from "../../app/identity/password-change.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import { createRole, deleteRole, getRole, listRoles, updateRole } from "../../app/identity/roles.ts";
import { resolveSession, DEFAULT_SESSION_SETTINGS } from "../../app/identity/sessions.ts";
import {
  createUser,
  grantRole,
  listUsers,
  revokeRole,
  setUserActive,
  setUserClusters,
  updateProfile,
} from "../../app/identity/users.ts";
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
  const { user } = await createUser(
    sql,
    cli(),
    {
      username: "Carol",
      email: "carol@example.net",
      displayName: "Carol C",
      password: PASSWORD,
      roles: ["operator"],
      clusters: ["c1", "c2"],
    },
    deps,
  );
  expect(user).toMatchObject({
    username: "Carol",
    email: "carol@example.net",
    displayName: "Carol C",
    active: true,
    mustChangePassword: false,
    allClusters: false,
    kind: "person",
  });
  const p = await loadPrincipal(sql, user.id, "session");
  expect(p?.roles).toEqual(["operator"]);
  expect(p?.clusterAccess).toEqual(["c1", "c2"]);
  const [audit] = (await auditRows(sql, "user.create")).filter((r) => r.resource_id === user.id);
  expect(audit).toMatchObject({
    status: "ok",
    username: "cli",
    details: { username: "Carol", roles: ["operator"], clusters: ["c1", "c2"] },
  });
  expect(JSON.stringify(audit)).not.toContain(PASSWORD);
});

test("without a password one is generated, returned once and must be changed", async () => {
  const r = await createUser(sql, cli(), { username: uniqueName() }, deps);
  expect(r.generatedPassword).toHaveLength(20);
  expect(r.user.mustChangePassword).toBe(true);
  expect((await loadPrincipal(sql, r.user.id, "session"))?.clusterAccess).toEqual([]);
});

test("duplicate usernames are refused regardless of case, nothing half-written", async () => {
  await addUser(sql, { username: "Dave" });
  const before = await count("users");
  await expect(createUser(sql, cli(), { username: "dAVE", password: PASSWORD }, deps)).rejects.toThrow(Conflict);
  expect(await count("users")).toBe(before);
});

test("bad input is refused before anything is written", async () => {
  const before = [await count("users"), await count("user_roles"), await count("user_clusters")];
  const cases: [Parameters<typeof createUser>[2], RegExp][] = [
    [{ username: "eve", password: "short" }, /at least 12/],
    [{ username: "eve", password: "password1234" }, /too common/],
    [{ username: "eve.long.name", password: "EVE.LONG.NAME" }, /must not be the username/],
    [{ username: "bad name", password: PASSWORD }, /username has/],
    [{ username: "eve", password: PASSWORD, roles: ["viewer", "no-such-role"] }, /unknown role no-such-role/],
    [{ username: "eve", password: PASSWORD, email: "not an email" }, /email/],
  ];
  for (const [input, message] of cases) {
    const err = await createUser(sql, cli(), { clusters: ["c1"], ...input }, deps).catch((e) => e);
    expect(err).toBeInstanceOf(Invalid);
    expect(err.message).toMatch(message);
    if (input.password) expect(err.message).not.toContain(input.password);
  }
  expect([await count("users"), await count("user_roles"), await count("user_clusters")]).toEqual(before);
});

test("acting without users:manage is forbidden; nobody grants what they do not hold", async () => {
  const viewer = await addUser(sql);
  const by = (await loadPrincipal(sql, viewer.id, "session"))!;
  await expect(createUser(sql, callerFor(by), { username: uniqueName(), password: PASSWORD }, deps)).rejects.toThrow(
    Forbidden,
  );
  // A helpdesk role may manage users but not hand out admin, nor take over an admin.
  await createRole(sql, cli(), {
    name: "helpdesk",
    permissions: ["users:manage", "clusters:use", "mcp:read", "tokens:own"],
  });
  const helper = await addUser(sql, { roles: ["helpdesk"] });
  const helperP = (await loadPrincipal(sql, helper.id, "session"))!;
  const target = await addUser(sql);
  await expect(grantRole(sql, callerFor(helperP), target.username, "admin")).rejects.toThrow(
    /needs .*users:manage|needs/,
  );
  expect(await grantRole(sql, callerFor(helperP), target.username, "viewer")).toBe(false);
  const admin = await addUser(sql, { roles: ["admin"] });
  await expect(resetPassword(sql, callerFor(helperP), { username: admin.username }, deps)).rejects.toThrow(Forbidden);
  await expect(setUserActive(sql, callerFor(helperP), admin.username, false)).rejects.toThrow(Forbidden);
  await expect(
    createRole(sql, callerFor(helperP), { name: "sneaky", permissions: ["settings:manage"] }),
  ).rejects.toThrow(Forbidden);
});

test("granting and revoking a role ends the user's sessions and is audited", async () => {
  const u = await addUser(sql);
  const s = await login(sql, { username: u.username, password: u.password, clientIp: "10.1.0.1" }, loginDeps());
  expect(await grantRole(sql, cli(), u.username, "operator")).toBe(true);
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await grantRole(sql, cli(), u.username, "OPERATOR")).toBe(false);
  const s2 = await login(sql, { username: u.username, password: u.password, clientIp: "10.1.0.1" }, loginDeps());
  expect(s2.principal.permissions.has("mcp:write")).toBe(true);
  expect(await revokeRole(sql, cli(), u.username, "operator")).toBe(true);
  expect(await resolveSession(sql, s2.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await revokeRole(sql, cli(), u.username, "operator")).toBe(false);
  const rows = (await auditRows(sql)).filter(
    (r) => r.action.startsWith("user.role") && r.details.username === u.username,
  );
  expect(rows.map((r) => [r.action, r.details.sessionsEnded])).toEqual([
    ["user.role.grant", 1],
    ["user.role.revoke", 1],
  ]);
});

test("deactivation ends every session and revokes every token; re-enabling restores neither", async () => {
  const u = await addUser(sql);
  const s = await login(sql, { username: u.username, password: u.password }, loginDeps());
  const t = await createApiToken(sql, cli(), { username: u.username, name: "claude" });
  expect(await resolveApiToken(sql, t.token)).not.toBeNull();
  const r = await setUserActive(sql, cli(), u.username, false);
  expect(r).toEqual({ changed: true, sessionsEnded: 1, tokensRevoked: 1 });
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  expect(await resolveApiToken(sql, t.token)).toBeNull();
  await expect(
    login(sql, { username: u.username, password: u.password, clientIp: "10.9.9.9" }, loginDeps()),
  ).rejects.toThrow("invalid username or password");
  await setUserActive(sql, cli(), u.username, true);
  expect(await resolveApiToken(sql, t.token)).toBeNull();
  // The failed attempt above started a 1 s back-off for this username.
  const later = new Date(Date.now() + 2000);
  expect(
    (await login(sql, { username: u.username, password: u.password, clientIp: "10.9.9.8" }, loginDeps({ now: later })))
      .token,
  ).toBeString();
  const actions = (await auditRows(sql)).filter((x) => x.details.username === u.username).map((x) => x.action);
  expect(actions).toContain("user.disable");
  expect(actions).toContain("user.enable");
});

test("listing, cluster access and profile edits", async () => {
  const u = await addUser(sql, { clusters: ["c1"] });
  await setUserClusters(sql, cli(), u.username, "all");
  expect((await loadPrincipal(sql, u.id, "session"))?.clusterAccess).toBe("all");
  await setUserClusters(sql, cli(), u.username, ["c3", "c2", "c3"]);
  expect((await loadPrincipal(sql, u.id, "session"))?.clusterAccess).toEqual(["c2", "c3"]);
  const self = (await loadPrincipal(sql, u.id, "session"))!;
  await updateProfile(sql, callerFor(self), u.username, { displayName: "New Name" });
  const other = await addUser(sql);
  await expect(updateProfile(sql, callerFor(self), other.username, { displayName: "x" })).rejects.toThrow(Forbidden);
  const listed = (await listUsers(sql, cli())).find((x) => x.username === u.username)!;
  expect(listed).toMatchObject({
    displayName: "New Name",
    roles: ["viewer"],
    clusters: ["c2", "c3"],
    allClusters: false,
  });
  expect(Object.keys(listed)).not.toContain("passwordHash");
  await expect(setUserActive(sql, cli(), "nobody-here", false)).rejects.toThrow(NotFound);
});

test("roles: system roles are fixed and undeletable; custom roles checked against the closed list", async () => {
  expect((await listRoles(sql)).slice(0, 3).map((r) => [r.name, r.system])).toEqual([
    ["admin", true],
    ["operator", true],
    ["viewer", true],
  ]);
  await expect(deleteRole(sql, cli(), "viewer")).rejects.toThrow(Conflict);
  await expect(updateRole(sql, cli(), "viewer", { permissions: ["mcp:write"] })).rejects.toThrow(Invalid);
  const viewer = await updateRole(sql, cli(), "viewer", { toolProfile: "compact" });
  expect(viewer.toolProfile).toBe("compact");
  await updateRole(sql, cli(), "viewer", { toolProfile: null });
  await expect(createRole(sql, cli(), { name: "x", permissions: ["mcp:read", "root:everything"] })).rejects.toThrow(
    /unknown permission\(s\): root:everything/,
  );
  await expect(createRole(sql, cli(), { name: "Bad Name", permissions: [] })).rejects.toThrow(Invalid);
  const role = await createRole(sql, cli(), {
    name: "auditor",
    permissions: ["audit:read", "audit:export"],
    toolProfile: "audit",
  });
  expect(role).toMatchObject({
    name: "auditor",
    system: false,
    permissions: ["audit:export", "audit:read"],
    toolProfile: "audit",
  });
  await expect(createRole(sql, cli(), { name: "AUDITOR", permissions: [] })).rejects.toThrow(Conflict);
  const u = await addUser(sql, { roles: ["auditor"] });
  expect((await loadPrincipal(sql, u.id, "session"))?.toolProfile).toBe("audit");
  const s = await login(sql, { username: u.username, password: u.password }, loginDeps());
  await updateRole(sql, cli(), "auditor", { permissions: ["audit:read"] });
  expect(await resolveSession(sql, s.token, new Date(), DEFAULT_SESSION_SETTINGS)).toBeNull();
  await deleteRole(sql, cli(), "auditor");
  await expect(getRole(sql, "auditor")).rejects.toThrow(NotFound);
  expect((await loadPrincipal(sql, u.id, "session"))?.roles).toEqual([]);
  expect((await auditRows(sql)).filter((r) => r.action.startsWith("role.")).map((r) => r.action)).toEqual(
    expect.arrayContaining(["role.create", "role.update", "role.delete"]),
  );
});

test("the console caller is the OS user, via cli, holding every permission", () => {
  const c = cliCaller("alice");
  expect(c.principal.username).toBe("alice");
  expect(c.actor.via).toBe("cli");
  expect(c.principal.permissions.size).toBeGreaterThan(10);
});
