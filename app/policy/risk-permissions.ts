/**
 * The one table from an operation's risk class to the permission it needs, and what follows from
 * it: which risk classes a principal can ever run, whether it can ever write. The guard decides
 * with it, the MCP surface lists tools with it, search offers operations with it — so a role sees
 * exactly what it may run, and changing what a risk class needs is a one-line change here.
 *
 * Guarantees: a risk class missing from the table needs a permission nobody has (fail closed);
 * writes are never usable through a read-only token, whatever the roles grant.
 */
import type { RiskClass } from "../catalog/operation.ts";
import type { Permission } from "../identity/permissions.ts";
import type { Principal } from "../identity/principal.ts";

export const RISK_PERMISSION: Readonly<Record<RiskClass, Permission>> = {
  read: "mcp:read",
  "sensitive-read": "mcp:sensitive",
  write: "mcp:write",
  destructive: "mcp:write",
};

const RISKS = Object.keys(RISK_PERMISSION) as RiskClass[];

export function isWriteRisk(risk: RiskClass): boolean {
  return risk === "write" || risk === "destructive";
}

/** The permission a risk class needs, or undefined for a class the table does not know. */
export function permissionFor(risk: RiskClass): Permission | undefined {
  return Object.hasOwn(RISK_PERMISSION, risk) ? RISK_PERMISSION[risk] : undefined;
}

/** Whether the principal's roles and token could ever let it run an operation of this class. */
export function mayUseRisk(p: Principal, risk: RiskClass): boolean {
  const needed = permissionFor(risk);
  if (!needed || !p.permissions.has(needed)) return false;
  return !(isWriteRisk(risk) && p.token?.readOnly);
}

/** Risk classes the principal could ever run (search and operation tools offer only these). */
export function usableRisks(p: Principal): RiskClass[] {
  return RISKS.filter((r) => mayUseRisk(p, r));
}

/** Whether this principal could ever run a write (role grants it and the token is not read-only). */
export function canWrite(p: Principal): boolean {
  return mayUseRisk(p, "write");
}
