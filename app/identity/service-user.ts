// Service users: accounts that never log in with a password (no hash is ever set; the schema
// forbids one). The legacy shared MCP token acts as one; its roles are granted like anybody's.
import { recordAudit } from "../audit/audit-log.ts";
import { Invalid } from "../errors.ts";
import type { Sql } from "./db-handle.ts";
import { checkUsername } from "./users.ts";
import { findUserByName, insertServiceUserIfMissing } from "./users.sql.ts";

/**
 * Creates the service user if missing: active, no password, no roles and no clusters — so the
 * legacy token can do nothing until an administrator grants it a role (never "full access").
 */
export async function ensureServiceUser(
  sql: Sql,
  username: string,
  now: Date = new Date(),
): Promise<{ created: boolean; userId: string }> {
  const name = checkUsername(username);
  const existing = await findUserByName(sql, name);
  if (existing) {
    if (existing.kind !== "service")
      throw new Invalid(`${existing.username} is a person's account; choose another MCP_API_TOKEN_USER`);
    return { created: false, userId: existing.id };
  }
  return sql.begin(async (tx) => {
    // Two nodes starting together: the unique index lets one insert win; the other reads it.
    const id = await insertServiceUserIfMissing(tx, name, now);
    if (!id) return { created: false, userId: (await findUserByName(tx, name))!.id };
    await recordAudit(tx, {
      action: "user.create",
      status: "ok",
      actor: { via: "system", username: "system" },
      target: { resourceType: "user", resourceId: id },
      details: { username: name, kind: "service", reason: "service user of the legacy MCP token" },
    });
    return { created: true, userId: id };
  });
}
