/**
 * The one permission ↔ risk-class table and what the MCP surface derives from it: which
 * operations a role may ever run, and which tools of the registry it is shown.
 */
import { describe, expect, test } from "bun:test";
import { RISK_CLASSES } from "../../app/catalog/operation.ts";
import { SYSTEM_ROLES, type Permission } from "../../app/identity/permissions.ts";
import type { Principal } from "../../app/identity/principal.ts";
import type { McpDeps } from "../../app/mcp/mcp-deps.ts";
import { DEFAULT_TOOLS, surfaceFor } from "../../app/mcp/tool-registry.ts";
import { toolOf } from "../../app/mcp/tool-descriptor.ts";
import { canWrite, permissionFor, RISK_PERMISSION, usableRisks } from "../../app/policy/risk-permissions.ts";

function principal(permissions: readonly Permission[], readOnlyToken = false): Principal {
  return {
    userId: "u",
    username: "u",
    active: true,
    roles: ["r"],
    permissions: new Set(permissions),
    clusterAccess: "all",
    toolProfile: null,
    via: "token",
    ...(readOnlyToken ? { token: { id: "t", name: "t", readOnly: true, clusters: null } } : {}),
  };
}

describe("risk classes and permissions", () => {
  test("every risk class needs exactly one permission", () => {
    expect(Object.keys(RISK_PERMISSION).sort()).toEqual([...RISK_CLASSES].sort());
    expect(permissionFor("destructive")).toBe("mcp:write");
    expect(permissionFor("bogus" as never)).toBeUndefined();
  });

  test("each system role may use the risk classes its permissions name; a read-only token never writes", () => {
    expect(usableRisks(principal(SYSTEM_ROLES.admin))).toEqual(["read", "sensitive-read", "write", "destructive"]);
    expect(usableRisks(principal(SYSTEM_ROLES.operator))).toEqual(["read", "write", "destructive"]);
    expect(usableRisks(principal(SYSTEM_ROLES.viewer))).toEqual(["read"]);
    expect(usableRisks(principal(SYSTEM_ROLES.admin, true))).toEqual(["read", "sensitive-read"]);
    expect(canWrite(principal(SYSTEM_ROLES.operator))).toBe(true);
    expect(canWrite(principal(SYSTEM_ROLES.operator, true))).toBe(false);
  });
});

describe("the tool registry", () => {
  test("tool names are unique and every tool has a description, annotations and an object schema", () => {
    const tools = DEFAULT_TOOLS.map((d) => toolOf(d, principal(SYSTEM_ROLES.admin)));
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    for (const t of tools) {
      expect(t.description?.length).toBeGreaterThan(20);
      expect(typeof t.annotations?.readOnlyHint).toBe("boolean");
      expect(t.inputSchema.type).toBe("object");
    }
  });

  test("a role without mcp:read is not shown the curated reads it could never run", async () => {
    // The default surface needs nothing from the deps (only 'operations' profiles read the catalog).
    const listed = async (p: Principal) => (await surfaceFor({} as McpDeps, null, p)).tools.map((t) => t.name);
    expect(await listed(principal(["clusters:use", "mcp:sensitive"]))).toEqual([
      "list_clusters",
      "search_operations",
      "describe_operation",
      "call_operation",
    ]);
    expect(await listed(principal(SYSTEM_ROLES.viewer))).toHaveLength(DEFAULT_TOOLS.length);
  });
});
