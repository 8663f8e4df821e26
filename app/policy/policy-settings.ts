/**
 * Changing policy: edit mode, the operation whitelist, argument constraints, approval rules and
 * tool profiles.
 *
 * Guarantees: every change needs `settings:manage` on the caller (checked here, whichever front
 * door it came through); input is validated before anything is written; each change and its
 * audit row commit in one transaction; the acting user's name goes into the row's `*_by` column.
 */
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import { Invalid, NotFound } from "../errors.ts";
import { requirePermission } from "../identity/authorize.ts";
import { callerName, type Caller } from "../identity/caller.ts";
import type { ToolProfile } from "./guard.ts";
import { PATTERN_RULE } from "./patterns.ts";
import {
  deleteApprovalRule,
  deleteConstraint,
  deleteWhitelistEntry,
  insertApprovalRule,
  insertConstraint,
  upsertEditMode,
  upsertToolProfile,
  upsertWhitelistEntry,
} from "./policy.sql.ts";

function checkPattern(pattern: string): void {
  if (!PATTERN_RULE.test(pattern))
    throw new Invalid(
      `"${pattern}" is not an operation id or pattern; use letters, digits, . _ - and * (e.g. ndfc.createVrf or manage.*)`,
    );
}

const mayManage = (caller: Caller) => requirePermission(caller.principal, "settings:manage");

export async function setEditMode(sql: Sql, caller: Caller, enabled: boolean, expiresAt: Date | null): Promise<void> {
  mayManage(caller);
  if (expiresAt && expiresAt.getTime() <= caller.now.getTime())
    throw new Invalid("the edit-mode expiry must be in the future");
  const value = { enabled, expiresAt: enabled && expiresAt ? expiresAt.toISOString() : null };
  await sql.begin(async (tx) => {
    await upsertEditMode(tx, value, callerName(caller));
    await recordAudit(tx, {
      action: enabled ? "settings.edit_mode.on" : "settings.edit_mode.off",
      status: "ok",
      caller,
      details: { expiresAt: value.expiresAt },
    });
  });
}

export async function addToWhitelist(sql: Sql, caller: Caller, operationId: string, note = ""): Promise<void> {
  mayManage(caller);
  checkPattern(operationId);
  if (operationId.includes("*")) throw new Invalid("the whitelist takes exact operation ids, not patterns");
  await sql.begin(async (tx) => {
    await upsertWhitelistEntry(tx, operationId, note, callerName(caller));
    await recordAudit(tx, { action: "settings.whitelist.add", status: "ok", caller, target: { operationId } });
  });
}

export async function removeFromWhitelist(sql: Sql, caller: Caller, operationId: string): Promise<void> {
  mayManage(caller);
  await sql.begin(async (tx) => {
    if (!(await deleteWhitelistEntry(tx, operationId))) throw new NotFound(`${operationId} is not on the whitelist`);
    await recordAudit(tx, { action: "settings.whitelist.remove", status: "ok", caller, target: { operationId } });
  });
}

export interface ConstraintInput {
  operationPattern: string;
  param: string;
  allowed: string[];
  appliesTo: "write" | "all";
}

export async function addConstraint(sql: Sql, caller: Caller, c: ConstraintInput): Promise<string> {
  mayManage(caller);
  checkPattern(c.operationPattern);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.param)) throw new Invalid(`"${c.param}" is not a parameter name`);
  const allowed = c.allowed.map((v) => v.trim()).filter(Boolean);
  if (!allowed.length) throw new Invalid("a constraint needs at least one allowed value");
  return sql.begin(async (tx) => {
    const id = await insertConstraint(tx, { ...c, allowed }, callerName(caller));
    await recordAudit(tx, {
      action: "settings.constraint.add",
      status: "ok",
      caller,
      target: { resourceType: "constraint", resourceId: id },
      details: { ...c, allowed },
    });
    return id;
  });
}

export async function removeConstraint(sql: Sql, caller: Caller, id: string): Promise<void> {
  mayManage(caller);
  if (!/^\d+$/.test(id)) throw new Invalid(`"${id}" is not a constraint id; see "settings constraint list"`);
  await sql.begin(async (tx) => {
    if (!(await deleteConstraint(tx, id))) throw new NotFound(`constraint ${id} does not exist`);
    await recordAudit(tx, {
      action: "settings.constraint.remove",
      status: "ok",
      caller,
      target: { resourceType: "constraint", resourceId: id },
    });
  });
}

export async function addApprovalRule(sql: Sql, caller: Caller, pattern: string): Promise<void> {
  mayManage(caller);
  checkPattern(pattern);
  await sql.begin(async (tx) => {
    await insertApprovalRule(tx, pattern, callerName(caller));
    await recordAudit(tx, { action: "settings.approval_rule.add", status: "ok", caller, details: { pattern } });
  });
}

export async function removeApprovalRule(sql: Sql, caller: Caller, pattern: string): Promise<void> {
  mayManage(caller);
  await sql.begin(async (tx) => {
    if (!(await deleteApprovalRule(tx, pattern))) throw new NotFound(`no approval rule for ${pattern}`);
    await recordAudit(tx, { action: "settings.approval_rule.remove", status: "ok", caller, details: { pattern } });
  });
}

export async function saveToolProfile(
  sql: Sql,
  caller: Caller,
  p: ToolProfile & { description?: string },
): Promise<void> {
  mayManage(caller);
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(p.name))
    throw new Invalid(`"${p.name}" is not a profile name; use lower-case letters, digits, - and _`);
  p.operations.forEach(checkPattern);
  if (p.mode === "operations" && !p.operations.length)
    throw new Invalid("an 'operations' profile must list the operations it exposes as tools");
  await sql.begin(async (tx) => {
    await upsertToolProfile(tx, p);
    await recordAudit(tx, {
      action: "settings.profile.save",
      status: "ok",
      caller,
      target: { resourceType: "tool_profile", resourceId: p.name },
      details: { ...p },
    });
  });
}
