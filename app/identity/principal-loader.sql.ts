// One query for everything a Principal is made of: the user, its roles with their permissions
// and tool profiles, and its cluster access. Read through the principal cache (app/cache/), which
// every change notification empties, so a role or access change applies to the next request on
// the changing node and within the measured bound on the others.
import { isUuid, type Db } from "./db-handle.ts";
import type { UserKind } from "./users.sql.ts";

export interface RoleGrant {
  name: string;
  system: boolean;
  permissions: string[];
  toolProfile: string | null;
}

export interface PrincipalRow {
  userId: string;
  username: string;
  kind: UserKind;
  active: boolean;
  mustChangePassword: boolean;
  allClusters: boolean;
  clusters: string[];
  roles: RoleGrant[];
}

export async function loadPrincipalRow(db: Db, userId: string): Promise<PrincipalRow | null> {
  if (!isUuid(userId)) return null;
  const rows = await db<PrincipalRow[]>`
    select u.id::text as "userId", u.username, u.kind, u.active,
           u.must_change_password as "mustChangePassword", u.all_clusters as "allClusters",
           coalesce((select array_agg(c.cluster_id order by c.cluster_id) from user_clusters c
                     where c.user_id = u.id), '{}') as clusters,
           coalesce((select json_agg(json_build_object('name', r.name, 'system', r.system,
                                                       'permissions', r.permissions, 'toolProfile', r.tool_profile)
                                     order by r.name)
                     from user_roles ur join roles r on r.id = ur.role_id where ur.user_id = u.id), '[]') as roles
    from users u where u.id = ${userId}`;
  return rows[0] ?? null;
}
