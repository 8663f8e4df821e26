/**
 * The closed list of permissions. Roles (in the database) are named sets of these; code checks
 * only these names. Adding one is a code change, reviewed like any other security change.
 */
export const PERMISSIONS = [
  "users:manage",
  "roles:manage",
  "clusters:manage",
  "clusters:use",
  "settings:manage",
  "audit:read",
  "audit:export",
  "tokens:own",
  "tokens:manage",
  "mcp:read",
  "mcp:write",
  "mcp:sensitive",
  "approvals:decide",
  "metrics:read",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export function isPermission(value: string): value is Permission {
  return (PERMISSIONS as readonly string[]).includes(value);
}

/** The seeded system roles (not deletable). */
export const SYSTEM_ROLES: Record<"admin" | "operator" | "viewer", readonly Permission[]> = {
  admin: PERMISSIONS,
  operator: ["clusters:use", "audit:read", "tokens:own", "mcp:read", "mcp:write"],
  viewer: ["clusters:use", "tokens:own", "mcp:read"],
};
