import { describe, expect, test } from "bun:test";
import { decide, type DecideInput, type PolicySnapshot } from "../../app/policy/guard.ts";
import { SYSTEM_ROLES, type Permission } from "../../app/identity/permissions.ts";
import type { Principal } from "../../app/identity/principal.ts";
import { narrow } from "../../app/identity/api-tokens.ts";

const now = new Date("2026-11-24T12:00:00Z");
const FAB = { id: "c1", name: "dc1" };

function principal(role: keyof typeof SYSTEM_ROLES, extra: Partial<Principal> = {}): Principal {
  return {
    userId: "u1",
    username: "alice",
    active: true,
    roles: [role],
    permissions: new Set<Permission>(SYSTEM_ROLES[role]),
    clusterAccess: "all",
    toolProfile: null,
    via: "token",
    ...extra,
  };
}

function policy(extra: Partial<PolicySnapshot> = {}): PolicySnapshot {
  return {
    now,
    editMode: { enabled: false, expiresAt: null },
    whitelist: new Set(),
    constraints: [],
    approvalPatterns: [],
    ...extra,
  };
}

const read = { id: "manage.listFabrics", risk: "read", method: "GET" } as const;
const write = { id: "ndfc.createVrf", risk: "write", method: "POST" } as const;
const destroy = { id: "ndfc.deleteVrf", risk: "destructive", method: "DELETE" } as const;
const sensitive = { id: "infra.getDownloadTechSupport", risk: "sensitive-read", method: "GET" } as const;

function run(over: Partial<DecideInput>) {
  return decide({
    principal: principal("operator"),
    operation: read,
    args: {},
    cluster: FAB,
    policy: policy(),
    profile: null,
    ...over,
  });
}

describe("guard", () => {
  test("a viewer may read", () => {
    expect(run({ principal: principal("viewer") }).effect).toBe("allow");
  });

  test("read-only by default: every write and destructive call is denied while edit mode is off", () => {
    for (const op of [write, destroy]) {
      const d = run({ principal: principal("admin"), operation: op });
      expect(d).toMatchObject({ effect: "deny", check: "edit_mode" });
      expect(d.reason).toContain("an administrator must turn edit mode on");
    }
  });

  test("edit mode allows writes for a role with mcp:write, and turns itself off at its expiry", () => {
    const on = policy({ editMode: { enabled: true, expiresAt: new Date(now.getTime() + 60_000) } });
    expect(run({ operation: write, policy: on }).effect).toBe("allow");
    const expired = policy({ editMode: { enabled: true, expiresAt: new Date(now.getTime() - 1) } });
    const d = run({ operation: write, policy: expired });
    expect(d.check).toBe("edit_mode");
    expect(d.reason).toContain("(it expired)");
  });

  test("a viewer cannot write even in edit mode", () => {
    const d = run({
      principal: principal("viewer"),
      operation: write,
      policy: policy({ editMode: { enabled: true, expiresAt: null } }),
    });
    expect(d).toMatchObject({ effect: "deny", check: "permission" });
    expect(d.reason).toContain("mcp:write");
  });

  test("a non-empty whitelist allows exactly the whitelisted writes", () => {
    const p = policy({ editMode: { enabled: true, expiresAt: null }, whitelist: new Set([write.id]) });
    expect(run({ operation: write, policy: p }).effect).toBe("allow");
    expect(run({ operation: destroy, policy: p })).toMatchObject({ effect: "deny", check: "whitelist" });
  });

  test("sensitive reads need mcp:sensitive and the whitelist, even for admins", () => {
    expect(run({ operation: sensitive })).toMatchObject({ effect: "deny", check: "permission" });
    expect(run({ principal: principal("admin"), operation: sensitive })).toMatchObject({
      effect: "deny",
      check: "whitelist",
    });
    expect(
      run({
        principal: principal("admin"),
        operation: sensitive,
        policy: policy({ whitelist: new Set([sensitive.id]) }),
      }).effect,
    ).toBe("allow");
  });

  test("cluster access: listed clusters only, and the token can narrow further", () => {
    expect(run({ principal: principal("operator", { clusterAccess: ["c2"] }) })).toMatchObject({
      effect: "deny",
      check: "cluster",
    });
    const narrowed = principal("operator", { token: { id: "t", name: "laptop", readOnly: false, clusters: ["c2"] } });
    expect(run({ principal: narrowed })).toMatchObject({ effect: "deny", check: "token" });
  });

  test("a read-only token cannot write", () => {
    const p = principal("admin", { token: { id: "t", name: "ro", readOnly: true, clusters: null } });
    const d = run({ principal: p, operation: write, policy: policy({ editMode: { enabled: true, expiresAt: null } }) });
    expect(d).toMatchObject({ effect: "deny", check: "token" });
  });

  test("an inactive user is refused first", () => {
    expect(run({ principal: principal("admin", { active: false }) })).toMatchObject({ effect: "deny", check: "user" });
  });

  test("argument constraints: only fabric X, fail closed when the argument is missing", () => {
    const p = policy({
      editMode: { enabled: true, expiresAt: null },
      constraints: [{ id: "7", operationPattern: "ndfc.*", param: "fabric", allowed: ["fab1"], appliesTo: "write" }],
    });
    expect(run({ operation: write, policy: p, args: { fabric: "fab1" } }).effect).toBe("allow");
    const other = run({ operation: write, policy: p, args: { fabric: "fab2" } });
    expect(other).toMatchObject({ effect: "deny", check: "arguments" });
    expect(other.reason).toContain("fabric = fab1");
    expect(run({ operation: write, policy: p, args: {} }).effect).toBe("deny");
    expect(run({ operation: { ...read, id: "ndfc.listVrfs" }, policy: p, args: {} }).effect).toBe("allow");
  });

  test("tool profiles limit which operations can be reached", () => {
    const profile = { name: "fabric-readers", mode: "meta" as const, operations: ["manage.*"], tokenBudget: 2000 };
    expect(run({ profile }).effect).toBe("allow");
    expect(run({ profile, operation: { ...read, id: "analyze.getAnomalyDetails" } })).toMatchObject({
      effect: "deny",
      check: "profile",
    });
  });

  test("approval rules turn an allowed call into needs_approval, until approved", () => {
    const p = policy({ editMode: { enabled: true, expiresAt: null }, approvalPatterns: ["*.delete*"] });
    expect(run({ operation: destroy, policy: p }).effect).toBe("needs_approval");
    expect(run({ operation: destroy, policy: p, approved: true })).toMatchObject({
      effect: "allow",
      check: "approval",
    });
    expect(run({ operation: write, policy: p }).effect).toBe("allow");
  });

  test("an unknown risk class fails closed", () => {
    const d = run({ operation: { id: "x.y", risk: "mystery" as never, method: "GET" } });
    expect(d.effect).toBe("deny");
  });

  // Real narrowed principals (identity's narrow()) have already lost what the token excludes;
  // the reason must still name the token, not the user's roles or cluster grants.
  test("a narrowed token is named as the reason, before the user's own rights are consulted", () => {
    const on = policy({ editMode: { enabled: true, expiresAt: null } });
    const readOnly = narrow(principal("operator"), { id: "t1", name: "laptop-ro", readOnly: true, clusters: null });
    const w = run({ principal: readOnly, operation: write, policy: on });
    expect(w).toMatchObject({ effect: "deny", check: "token" });
    expect(w.reason).toContain('the API token "laptop-ro" is read-only');
    expect(run({ principal: readOnly, operation: read }).effect).toBe("allow");

    const elsewhere = narrow(principal("operator"), { id: "t2", name: "dc2-only", readOnly: false, clusters: ["c2"] });
    const c = run({ principal: elsewhere });
    expect(c).toMatchObject({ effect: "deny", check: "token" });
    expect(c.reason).toContain('"dc2-only" is limited to other clusters');
    expect(run({ principal: elsewhere, cluster: { id: "c2", name: "dc2" } }).effect).toBe("allow");
  });
});
