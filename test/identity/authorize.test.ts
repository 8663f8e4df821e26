import { expect, test } from "bun:test";
import { narrow } from "../../app/identity/api-tokens.ts";
import { authorize, requirePermission } from "../../app/identity/authorize.ts";
import { SYSTEM_ROLES, type Permission } from "../../app/identity/permissions.ts";
import type { Principal } from "../../app/identity/principal.ts";
import { buildPrincipal } from "../../app/identity/principal-loader.ts";
import { Forbidden } from "../../app/errors.ts";

function principal(over: Partial<Principal> = {}): Principal {
  return {
    userId: "u1",
    username: "alice",
    active: true,
    roles: ["operator"],
    permissions: new Set<Permission>(SYSTEM_ROLES.operator),
    clusterAccess: ["c1", "c2"],
    toolProfile: null,
    via: "session",
    ...over,
  };
}

test("a held permission on an accessible cluster is allowed, with a reason naming both", () => {
  const d = authorize(principal(), "mcp:write", { clusterId: "c1" });
  expect(d).toEqual({ allowed: true, reason: "alice (session) holds mcp:write on cluster c1" });
});

test("deny by default: a permission no role grants", () => {
  const d = authorize(principal(), "users:manage");
  expect(d.allowed).toBe(false);
  expect(d.reason).toBe("roles operator do not grant users:manage to alice");
  expect(authorize(principal({ roles: [], permissions: new Set() }), "mcp:read").reason).toContain("no role does");
});

test("an inactive principal may do nothing", () => {
  expect(authorize(principal({ active: false }), "mcp:read")).toEqual({
    allowed: false,
    reason: "user alice is inactive",
  });
});

test("a browser session that must change its password may do nothing else; a token may", () => {
  expect(authorize(principal({ mustChangePassword: true }), "mcp:read").allowed).toBe(false);
  expect(authorize(principal({ mustChangePassword: true, via: "token" }), "mcp:read").allowed).toBe(true);
});

test("cluster access: listed clusters only, 'all' means all, none means none", () => {
  expect(authorize(principal(), "mcp:read", { clusterId: "c3" })).toEqual({
    allowed: false,
    reason: "alice has no access to cluster c3",
  });
  expect(authorize(principal({ clusterAccess: "all" }), "mcp:read", { clusterId: "c3" }).allowed).toBe(true);
  expect(authorize(principal({ clusterAccess: [] }), "mcp:read", { clusterId: "c1" }).allowed).toBe(false);
});

test("a read-only token keeps reads only, also when the principal is checked directly", () => {
  const p = narrow(principal({ clusterAccess: "all" }), { id: "t1", name: "claude", readOnly: true, clusters: null });
  expect(authorize(p, "mcp:read").allowed).toBe(true);
  expect(authorize(p, "mcp:write")).toEqual({
    allowed: false,
    reason: "roles operator do not grant mcp:write to alice",
  });
  // Even with the permission set left intact, the token flag denies.
  const flagged = { ...p, permissions: new Set<Permission>(SYSTEM_ROLES.admin) };
  expect(authorize(flagged, "mcp:write").reason).toBe(
    'token "claude" is read-only; mcp:write is not a read permission',
  );
  expect(authorize(flagged, "mcp:sensitive").allowed).toBe(false);
  expect(p.via).toBe("token");
});

test("a cluster-narrowed token never widens the user's access", () => {
  const p = narrow(principal(), { id: "t1", name: "lab", readOnly: false, clusters: ["c2", "c9"] });
  expect(p.clusterAccess).toEqual(["c2"]);
  expect(authorize(p, "mcp:read", { clusterId: "c2" }).allowed).toBe(true);
  expect(authorize(p, "mcp:read", { clusterId: "c1" }).allowed).toBe(false);
  expect(authorize(p, "mcp:read", { clusterId: "c9" }).allowed).toBe(false);
  const all = narrow(principal({ clusterAccess: "all" }), { id: "t1", name: "lab", readOnly: false, clusters: ["c9"] });
  expect(all.clusterAccess).toEqual(["c9"]);
  expect(authorize({ ...all, clusterAccess: "all" }, "mcp:read", { clusterId: "c1" }).reason).toBe(
    'token "lab" is limited to other clusters',
  );
});

test("requirePermission throws Forbidden with the reason", () => {
  expect(() => requirePermission(principal(), "settings:manage")).toThrow(Forbidden);
  expect(() => requirePermission(principal(), "mcp:read")).not.toThrow();
});

test("principals: union of roles, system roles from code, unknown names dropped, first tool profile by role name", () => {
  const p = buildPrincipal(
    {
      userId: "u1",
      username: "bob",
      kind: "person",
      active: true,
      mustChangePassword: false,
      allClusters: false,
      clusters: ["c1"],
      roles: [
        { name: "auditor", system: false, permissions: ["audit:export", "no:such"], toolProfile: "audit-tools" },
        { name: "viewer", system: true, permissions: ["users:manage"], toolProfile: "ignored-second" },
      ],
    },
    "session",
  );
  expect([...p.permissions].sort()).toEqual(["audit:export", "clusters:use", "mcp:read", "tokens:own"]);
  expect(p.toolProfile).toBe("audit-tools");
  expect(p.clusterAccess).toEqual(["c1"]);
});
