import { callerFor } from "../support/callers.ts";
import { afterAll, expect, test } from "bun:test";
import { Conflict, Forbidden, Invalid, NotFound, Unauthorized } from "../../app/errors.ts";
import {
  authenticateApiToken,
  checkApiToken,
  createApiToken,
  listApiTokens,
  resolveApiToken,
  revokeApiToken,
  tokenStatus,
} from "../../app/identity/api-tokens.ts";
import { authorize } from "../../app/identity/authorize.ts";
import { legacyTokenProblem, resolveLegacyToken } from "../../app/identity/legacy-token.ts";
import { loadPrincipal } from "../../app/identity/principal-loader.ts";
import { ensureServiceUser } from "../../app/identity/service-user.ts";
import { grantRole, setUserActive, setUserClusters } from "../../app/identity/users.ts";
import { freshDatabase } from "../support/db.ts";
import { addUser, at, auditRows, cli } from "./helpers.ts";

const db = await freshDatabase();
const sql = db.sql;
afterAll(() => db.close());
const t0 = new Date("2033-01-10T12:00:00Z");
const DAY = 86_400_000;

test("create: shown once with the nmg_ prefix, stored as a digest, 90 days by default, audited", async () => {
  const u = await addUser(sql, { roles: ["operator"] });
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "claude desktop" });
  expect(t.token).toMatch(new RegExp(`^nmg_${t.id}_[A-Za-z0-9_-]{43}$`));
  expect(t.expiresAt).toEqual(at(t0, 90 * DAY));
  const [row] = await sql`select secret_hash, created_by from api_tokens where id = ${t.id}`;
  expect(row!.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  expect(t.token).not.toContain(row!.secret_hash);
  expect(row!.created_by).toBe("cli");
  const [audit] = (await auditRows(sql, "token.create")).filter((r) => r.resource_id === t.id);
  expect(audit!.details).toMatchObject({ name: "claude desktop", owner: u.username, readOnly: false });
  expect(JSON.stringify(audit)).not.toContain(t.token.slice(-43));
  const p = await resolveApiToken(sql, t.token, { now: at(t0, 1000), clientIp: "192.0.2.1" });
  expect(p).toMatchObject({
    userId: u.id,
    via: "token",
    token: { id: t.id, name: "claude desktop", readOnly: false, clusters: null },
  });
  expect(p!.permissions.has("mcp:write")).toBe(true);
});

test("a given lifetime or expiry; the token stops at its expiry", async () => {
  const u = await addUser(sql);
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "short", ttlMs: 30 * DAY });
  expect(t.expiresAt).toEqual(at(t0, 30 * DAY));
  expect(await resolveApiToken(sql, t.token, { now: at(t0, 30 * DAY - 1) })).not.toBeNull();
  expect(await checkApiToken(sql, t.token, { now: at(t0, 30 * DAY) })).toMatchObject({
    failure: "expired",
    owner: { username: expect.any(String) },
  });
  await expect(authenticateApiToken(sql, t.token, { now: at(t0, 31 * DAY) })).rejects.toThrow(
    "the bearer token has expired; create a new one",
  );
  const never = await createApiToken(sql, cli(t0), { username: u.username, name: "forever", expiresAt: null });
  expect(await resolveApiToken(sql, never.token, { now: at(t0, 3650 * DAY) })).not.toBeNull();
  await expect(
    createApiToken(sql, cli(t0), { username: u.username, name: "past", expiresAt: at(t0, -1) }),
  ).rejects.toThrow(Invalid);
});

test("malformed, unknown and wrong-secret tokens resolve to nothing, with a clear error", async () => {
  const u = await addUser(sql);
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "x" });
  const wrongSecret = `${t.token.slice(0, -1)}${t.token.endsWith("A") ? "B" : "A"}`;
  const unknownId = t.token.replace(t.id, "0".repeat(24));
  expect(await checkApiToken(sql, "nmg_nonsense", { now: t0 })).toEqual({ failure: "malformed" });
  expect(await checkApiToken(sql, "", { now: t0 })).toEqual({ failure: "malformed" });
  expect(await checkApiToken(sql, wrongSecret, { now: t0 })).toEqual({ failure: "unknown" });
  expect(await checkApiToken(sql, unknownId, { now: t0 })).toEqual({ failure: "unknown" });
  await expect(authenticateApiToken(sql, "Bearer abc", { now: t0 })).rejects.toThrow(Unauthorized);
  const err = await authenticateApiToken(sql, wrongSecret, { now: t0 }).catch((e) => e);
  expect(err.message).toBe("the bearer token is not valid");
  expect(err.message).not.toContain(wrongSecret);
  expect(await resolveApiToken(sql, `Bearer ${t.token}`, { now: t0 })).not.toBeNull();
});

test("narrowing: read-only and cluster-limited tokens never exceed the token or the user", async () => {
  const u = await addUser(sql, { roles: ["operator"], clusters: ["c1", "c2"] });
  const ro = await createApiToken(sql, cli(t0), { username: u.username, name: "ro", readOnly: true, clusters: ["c2"] });
  const p = (await resolveApiToken(sql, ro.token, { now: t0 }))!;
  expect(p.token).toEqual({ id: ro.id, name: "ro", readOnly: true, clusters: ["c2"] });
  expect([...p.permissions].sort()).toEqual(["audit:read", "clusters:use", "mcp:read"]);
  expect(p.clusterAccess).toEqual(["c2"]);
  expect(authorize(p, "mcp:read", { clusterId: "c2" }).allowed).toBe(true);
  expect(authorize(p, "mcp:write", { clusterId: "c2" }).allowed).toBe(false);
  expect(authorize(p, "mcp:read", { clusterId: "c1" }).allowed).toBe(false);
  await expect(
    createApiToken(sql, cli(t0), { username: u.username, name: "wide", clusters: ["c1", "c9"] }),
  ).rejects.toThrow(/no access to cluster\(s\) c9/);
  // Access taken from the user later applies to the token at once.
  await setUserClusters(sql, cli(), u.username, ["c1"]);
  const later = (await resolveApiToken(sql, ro.token, { now: t0 }))!;
  expect(later.clusterAccess).toEqual([]);
  expect(authorize(later, "mcp:read", { clusterId: "c2" }).allowed).toBe(false);
});

test("the token's user's roles apply live", async () => {
  const u = await addUser(sql);
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "live" });
  expect((await resolveApiToken(sql, t.token, { now: t0 }))!.permissions.has("mcp:write")).toBe(false);
  await grantRole(sql, cli(), u.username, "operator");
  expect((await resolveApiToken(sql, t.token, { now: t0 }))!.permissions.has("mcp:write")).toBe(true);
});

test("last use (time and address) is written at most once a minute", async () => {
  const u = await addUser(sql);
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "used" });
  const lastUse = async () => (await sql`select last_used_at, last_used_ip from api_tokens where id = ${t.id}`)[0]!;
  expect(await lastUse()).toEqual({ last_used_at: null, last_used_ip: null });
  await resolveApiToken(sql, t.token, { now: t0, clientIp: "192.0.2.7" });
  await resolveApiToken(sql, t.token, { now: at(t0, 30_000), clientIp: "192.0.2.8" });
  await Promise.all(
    Array.from({ length: 8 }, () => resolveApiToken(sql, t.token, { now: at(t0, 59_999), clientIp: "192.0.2.9" })),
  );
  expect(await lastUse()).toEqual({ last_used_at: t0, last_used_ip: "192.0.2.7" });
  await resolveApiToken(sql, t.token, { now: at(t0, 60_000), clientIp: "192.0.2.10" });
  expect(await lastUse()).toEqual({ last_used_at: at(t0, 60_000), last_used_ip: "192.0.2.10" });
});

test("revocation by the owner and by an administrator; not by anybody else; audited", async () => {
  const owner = await addUser(sql);
  const other = await addUser(sql);
  const admin = await addUser(sql, { roles: ["admin"] });
  const byOwner = callerFor((await loadPrincipal(sql, owner.id, "session"))!, t0);
  const byOther = callerFor((await loadPrincipal(sql, other.id, "session"))!, t0);
  const byAdmin = callerFor((await loadPrincipal(sql, admin.id, "session"))!, t0);
  const a = await createApiToken(sql, byOwner, { username: owner.username, name: "a" });
  const b = await createApiToken(sql, byOwner, { username: owner.username, name: "b" });
  await expect(createApiToken(sql, byOther, { username: owner.username, name: "x" })).rejects.toThrow(Forbidden);
  await expect(createApiToken(sql, byOwner, { username: owner.username, name: "A" })).rejects.toThrow(Conflict);
  await expect(revokeApiToken(sql, byOther, a.id)).rejects.toThrow(Forbidden);
  await expect(listApiTokens(sql, byOther, owner.username)).rejects.toThrow(Forbidden);
  await revokeApiToken(sql, byOwner, a.id);
  await revokeApiToken(sql, byAdmin, b.id);
  await expect(revokeApiToken(sql, byAdmin, b.id)).rejects.toThrow(Conflict);
  await expect(revokeApiToken(sql, byAdmin, "not-an-id")).rejects.toThrow(NotFound);
  expect(await checkApiToken(sql, a.token, { now: t0 })).toMatchObject({
    failure: "revoked",
    owner: { username: expect.any(String) },
  });
  expect(await checkApiToken(sql, b.token, { now: t0 })).toMatchObject({
    failure: "revoked",
    owner: { username: expect.any(String) },
  });
  const listed = await listApiTokens(sql, byOwner, owner.username);
  expect(listed.map((t) => [t.name, tokenStatus(t, t0)])).toEqual(
    expect.arrayContaining([
      ["a", "revoked"],
      ["b", "revoked"],
    ]),
  );
  expect(Object.keys(listed[0]!)).not.toContain("secretHash");
  // The name is free again once the old token is revoked.
  await createApiToken(sql, byOwner, { username: owner.username, name: "a" });
  expect(
    (await auditRows(sql, "token.revoke")).filter((r) => r.resource_id === a.id || r.resource_id === b.id),
  ).toHaveLength(2);
});

test("a disabled user's tokens stop working, and no new token can be made for them", async () => {
  const u = await addUser(sql);
  const t = await createApiToken(sql, cli(t0), { username: u.username, name: "t" });
  await setUserActive(sql, cli(), u.username, false);
  expect(await checkApiToken(sql, t.token, { now: t0 })).toMatchObject({
    failure: "revoked",
    owner: { username: expect.any(String) },
  });
  await expect(createApiToken(sql, cli(t0), { username: u.username, name: "t2" })).rejects.toThrow(/disabled/);
});

test("legacy shared token: only if configured, constant-time, acts as the service user with its roles", async () => {
  const shared = "0123456789abcdef0123456789abcdef-legacy";
  expect(await resolveLegacyToken(sql, shared, undefined, "mcp-service")).toBeNull();
  expect(await resolveLegacyToken(sql, shared, "", "mcp-service")).toBeNull();
  // Not created yet: nobody to act as.
  expect(await resolveLegacyToken(sql, shared, shared, "mcp-service")).toBeNull();
  const created = await ensureServiceUser(sql, "mcp-service");
  expect(created.created).toBe(true);
  expect((await ensureServiceUser(sql, "MCP-Service")).created).toBe(false);
  const p = await resolveLegacyToken(sql, `Bearer ${shared}`, shared, "mcp-service");
  expect(p).toMatchObject({ username: "mcp-service", via: "legacy-token", roles: [], clusterAccess: [] });
  expect(p!.permissions.size).toBe(0); // never "full access"
  expect(await resolveLegacyToken(sql, `${shared}x`, shared, "mcp-service")).toBeNull();
  expect(await resolveLegacyToken(sql, shared.slice(0, -1), shared, "mcp-service")).toBeNull();
  await grantRole(sql, cli(), "mcp-service", "viewer");
  expect((await resolveLegacyToken(sql, shared, shared, "mcp-service"))!.permissions.has("mcp:read")).toBe(true);
  // The service user cannot log in, and a person's account cannot be the service user.
  const [row] = await sql`select kind, password_hash from users where id = ${created.userId}`;
  expect(row).toEqual({ kind: "service", password_hash: null });
  const person = await addUser(sql);
  expect(await resolveLegacyToken(sql, shared, shared, person.username)).toBeNull();
  await expect(ensureServiceUser(sql, person.username)).rejects.toThrow(Invalid);
  await setUserActive(sql, cli(), "mcp-service", false);
  expect(await resolveLegacyToken(sql, shared, shared, "mcp-service")).toBeNull();
  expect(legacyTokenProblem("short")).toContain("at least 32");
  expect(legacyTokenProblem(shared)).toBeNull();
  expect(legacyTokenProblem(undefined)).toBeNull();
});
