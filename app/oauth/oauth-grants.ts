/**
 * Connected apps: the OAuth grants users gave, listed and revoked.
 *
 * Guarantees: a user sees and revokes their own grants (tokens:own), an administrator everybody's
 * (tokens:manage) — the same rights as API tokens; revoking ends every code, access and refresh
 * token of the grant at once (the next MCP request with them is refused); audited in the same
 * transaction.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { Conflict, NotFound } from "../errors.ts";
import type { Caller } from "../identity/caller.ts";
import { requirePermission } from "../identity/authorize.ts";
import type { Sql } from "../identity/db-handle.ts";
import type { Principal } from "../identity/principal.ts";
import { expireGrantTokens, findGrant, listGrantRows, revokeGrantRow, type OAuthGrantRow } from "./oauth.sql.ts";

export type { OAuthGrantRow };

function requireGrantRights(by: Principal, ownerId: string): void {
  requirePermission(by, ownerId === by.userId ? "tokens:own" : "tokens:manage");
}

export async function listMyGrants(sql: Sql, caller: Caller): Promise<OAuthGrantRow[]> {
  requirePermission(caller.principal, "tokens:own");
  return listGrantRows(sql, caller.principal.userId);
}

export async function listAllGrants(sql: Sql, caller: Caller): Promise<OAuthGrantRow[]> {
  requirePermission(caller.principal, "tokens:manage");
  return listGrantRows(sql, null);
}

export async function revokeGrant(sql: Sql, caller: Caller, id: string, reason = "revoked"): Promise<OAuthGrantRow> {
  const grant = await findGrant(sql, id);
  if (!grant) throw new NotFound(`no connected app with id ${id}`);
  requireGrantRights(caller.principal, grant.userId);
  if (grant.revokedAt) throw new Conflict(`access of ${grant.clientName} (${id}) was revoked already`);
  const now = caller.now;
  await sql.begin(async (tx) => {
    if (!(await revokeGrantRow(tx, id, now, reason.slice(0, 200))))
      throw new Conflict(`access of ${grant.clientName} (${id}) was revoked already`);
    await expireGrantTokens(tx, id, now);
    await recordAudit(tx, {
      action: "oauth.revoke",
      status: "ok",
      caller,
      target: { resourceType: "oauth_grant", resourceId: id },
      details: { clientName: grant.clientName, clientId: grant.clientId, owner: grant.username, reason },
    });
  });
  return grant;
}
