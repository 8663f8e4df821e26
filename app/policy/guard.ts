/**
 * The guard: one pure function deciding whether a principal may run an ND operation.
 *
 * Guarantees: it never throws and never performs I/O; it fails closed (anything unknown is a
 * deny); checks run in a fixed order (user active → token narrowing → cluster access → role
 * permission for the risk class → tool profile → edit mode → whitelist → argument constraints →
 * approval rule) and the first failing check is the reason. Every reason says plainly what a
 * human must do, because the model relays it to one. The MCP layer, the UI and the CLI all call
 * this function; its decision and reason are audited.
 *
 * Token narrowing is checked before the user's own rights because a narrowed principal has
 * already lost the permissions and clusters its token excludes (identity's `narrow()`): checked
 * later, a read-only token's write would be blamed on the user's roles, and the advice ("assign
 * a role") would be wrong.
 */
import type { Operation } from "../catalog/operation.ts";
import type { Principal } from "../identity/principal.ts";
import { matchesAny, matchesPattern } from "./patterns.ts";
import { isWriteRisk, permissionFor } from "./risk-permissions.ts";

export type Effect = "allow" | "deny" | "needs_approval";

export type CheckName =
  | "user"
  | "cluster"
  | "permission"
  | "token"
  | "profile"
  | "edit_mode"
  | "whitelist"
  | "arguments"
  | "approval";

export interface Decision {
  effect: Effect;
  reason: string;
  /** The check that decided (for deny/needs_approval) or "approval"/"all" for allow. */
  check: CheckName | "all";
}

export interface ArgumentConstraint {
  id: string;
  operationPattern: string;
  param: string;
  allowed: string[];
  appliesTo: "write" | "all";
}

export interface ToolProfile {
  name: string;
  mode: "meta" | "operations";
  operations: string[];
  tokenBudget: number;
}

export interface PolicySnapshot {
  now: Date;
  editMode: { enabled: boolean; expiresAt: Date | null };
  whitelist: ReadonlySet<string>;
  constraints: readonly ArgumentConstraint[];
  approvalPatterns: readonly string[];
}

export interface ClusterRef {
  id: string;
  name: string;
}

/** The operation facts the guard needs. */
export type GuardedOperation = Pick<Operation, "id" | "risk" | "method">;

export interface DecideInput {
  principal: Principal;
  operation: GuardedOperation;
  args: Record<string, unknown>;
  cluster: ClusterRef;
  policy: PolicySnapshot;
  profile: ToolProfile | null;
  /** True when the caller presented an approval that matches this exact call. */
  approved?: boolean;
}

export function editModeActive(policy: PolicySnapshot): boolean {
  const { enabled, expiresAt } = policy.editMode;
  return enabled && (expiresAt === null || expiresAt.getTime() > policy.now.getTime());
}

const deny = (check: CheckName, reason: string): Decision => ({ effect: "deny", check, reason });

export function decide(input: DecideInput): Decision {
  try {
    return evaluate(input);
  } catch {
    return deny(
      "user",
      "the gateway could not evaluate its policy for this call; it was refused. Report this to an administrator.",
    );
  }
}

function evaluate({ principal: p, operation: op, args, cluster, policy, profile, approved }: DecideInput): Decision {
  const write = isWriteRisk(op.risk);
  if (!p.active) return deny("user", `user ${p.username} is deactivated; an administrator must re-enable the account.`);

  if (p.token?.clusters && !p.token.clusters.includes(cluster.id)) {
    return deny(
      "token",
      `the API token "${p.token.name}" is limited to other clusters; create a token that includes "${cluster.name}".`,
    );
  }
  if (write && p.token?.readOnly) {
    return deny(
      "token",
      `the API token "${p.token.name}" is read-only; ${op.id} changes state. Use a token without the read-only limit.`,
    );
  }

  if (!p.permissions.has("clusters:use") || (p.clusterAccess !== "all" && !p.clusterAccess.includes(cluster.id))) {
    return deny(
      "cluster",
      `${p.username} has no access to cluster "${cluster.name}"; an administrator can grant it under Users → ${p.username} → Clusters.`,
    );
  }

  const needed = permissionFor(op.risk);
  if (!needed || !p.permissions.has(needed)) {
    return deny(
      "permission",
      `${op.id} is a ${op.risk} operation and needs the ${needed} permission, which the roles of ${p.username} (${p.roles.join(", ") || "none"}) do not grant; an administrator can assign a role that has it.`,
    );
  }

  if (profile && profile.operations.length && !matchesAny(profile.operations, op.id)) {
    return deny(
      "profile",
      `${op.id} is not part of the tool profile "${profile.name}" assigned to ${p.username}; an administrator can add it to the profile.`,
    );
  }

  if (write && !editModeActive(policy)) {
    const expired = policy.editMode.enabled ? " (it expired)" : "";
    return deny(
      "edit_mode",
      `the gateway is read-only: edit mode is off${expired}. ${op.id} changes state; an administrator must turn edit mode on before it can run.`,
    );
  }

  if (op.risk === "sensitive-read" && !policy.whitelist.has(op.id)) {
    return deny(
      "whitelist",
      `${op.id} exposes sensitive data (credentials, archives or keys) and is not on the operation whitelist; an administrator must whitelist it explicitly.`,
    );
  }
  if (write && policy.whitelist.size > 0 && !policy.whitelist.has(op.id)) {
    return deny(
      "whitelist",
      `${op.id} is not on the operation whitelist, so it may not run even in edit mode; an administrator can add it to the whitelist.`,
    );
  }

  for (const c of policy.constraints) {
    if (c.appliesTo === "write" && !write) continue;
    if (!matchesPattern(c.operationPattern, op.id)) continue;
    const value = args[c.param];
    const text = typeof value === "string" || typeof value === "number" ? String(value) : undefined;
    if (text === undefined || !c.allowed.includes(text)) {
      return deny(
        "arguments",
        `${op.id} may only run with ${c.param} = ${c.allowed.join(" or ")} (constraint #${c.id}); this call has ${c.param} = ${text ?? "nothing"}.`,
      );
    }
  }

  if (policy.approvalPatterns.length && matchesAny(policy.approvalPatterns, op.id)) {
    if (approved)
      return { effect: "allow", check: "approval", reason: "allowed with a human's approval of this exact call" };
    return { effect: "needs_approval", check: "approval", reason: `${op.id} needs a human's approval before it runs.` };
  }

  return {
    effect: "allow",
    check: "all",
    reason: write ? "allowed: edit mode on and every write check passed" : `allowed: ${op.risk}`,
  };
}
