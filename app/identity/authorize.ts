/**
 * "May principal P do X (on cluster C)?" — one pure function, with the reason.
 *
 * Guarantees: deny by default; an inactive principal may do nothing; a browser session whose
 * password must change may do nothing else; a permission must come from the principal's roles;
 * a read-only API token only carries read permissions; a cluster must be in the user's access
 * list and, for a narrowed token, in the token's list too.
 */
import { Forbidden } from "../errors.ts";
import type { Permission } from "./permissions.ts";
import type { Principal } from "./principal.ts";

export interface Decision {
  allowed: boolean;
  reason: string;
}

export interface Resource {
  clusterId?: string;
}

/**
 * What a read-only token keeps. `mcp:sensitive` is deliberately absent: credential stores,
 * backups and tech-support bundles are not what someone means by "read-only assistant".
 */
export const READ_ONLY_PERMISSIONS: ReadonlySet<Permission> = new Set<Permission>([
  "clusters:use",
  "mcp:read",
  "audit:read",
]);

const deny = (reason: string): Decision => ({ allowed: false, reason });

export function authorize(principal: Principal, permission: Permission, resource: Resource = {}): Decision {
  if (!principal.active) return deny(`user ${principal.username} is inactive`);
  if (principal.mustChangePassword && principal.via === "session")
    return deny(`user ${principal.username} must change the password first`);
  if (!principal.permissions.has(permission)) {
    const roles = principal.roles.length ? `roles ${principal.roles.join(", ")} do` : "no role does";
    return deny(`${roles} not grant ${permission} to ${principal.username}`);
  }
  if (principal.token?.readOnly && !READ_ONLY_PERMISSIONS.has(permission)) {
    return deny(`token "${principal.token.name}" is read-only; ${permission} is not a read permission`);
  }
  if (resource.clusterId !== undefined) {
    const clusterDenial = clusterReason(principal, resource.clusterId);
    if (clusterDenial) return deny(clusterDenial);
  }
  const via = principal.token ? `token "${principal.token.name}"` : principal.via;
  const on = resource.clusterId !== undefined ? ` on cluster ${resource.clusterId}` : "";
  return { allowed: true, reason: `${principal.username} (${via}) holds ${permission}${on}` };
}

function clusterReason(principal: Principal, clusterId: string): string | null {
  const access = principal.clusterAccess;
  if (access !== "all" && !access.includes(clusterId))
    return `${principal.username} has no access to cluster ${clusterId}`;
  const narrowed = principal.token?.clusters;
  if (narrowed && !narrowed.includes(clusterId)) return `token "${principal.token!.name}" is limited to other clusters`;
  return null;
}

/** `authorize` for code paths that stop on a denial: throws Forbidden with the reason. */
export function requirePermission(principal: Principal, permission: Permission, resource?: Resource): void {
  const decision = authorize(principal, permission, resource);
  if (!decision.allowed) throw new Forbidden(decision.reason);
}
