/**
 * Reading and changing policy. The snapshot is read from the database on every decision (one
 * round trip), never cached in the process: an edit-mode change takes effect on the very next
 * call on every node. Every change writes its audit event in the same transaction.
 */
import type { Sql } from "postgres";
import { recordAudit } from "../audit/audit-log.ts";
import type { AuditActor } from "../audit/audit-event.ts";
import { Invalid, NotFound } from "../errors.ts";
import type { ArgumentConstraint, PolicySnapshot, ToolProfile } from "./guard.ts";
import { PATTERN_RULE } from "./patterns.ts";

interface SnapshotRow {
  edit_mode: { enabled?: boolean; expiresAt?: string | null } | null;
  whitelist: string[];
  constraints: { id: string; operation_pattern: string; param: string; allowed: string[]; applies_to: "write" | "all" }[];
  approvals: string[];
  now: Date;
}

export async function loadPolicySnapshot(db: Sql): Promise<PolicySnapshot> {
  const [row] = await db<SnapshotRow[]>`
    select
      (select value from settings where key = 'edit_mode') as edit_mode,
      coalesce((select array_agg(operation_id) from operation_whitelist), '{}') as whitelist,
      coalesce((select json_agg(json_build_object('id', id::text, 'operation_pattern', operation_pattern, 'param', param,
                 'allowed', allowed, 'applies_to', applies_to) order by id) from argument_constraints), '[]') as constraints,
      coalesce((select array_agg(operation_pattern) from approval_rules), '{}') as approvals,
      now() as now`;
  const r = row!;
  return {
    now: r.now,
    editMode: { enabled: r.edit_mode?.enabled === true, expiresAt: r.edit_mode?.expiresAt ? new Date(r.edit_mode.expiresAt) : null },
    whitelist: new Set(r.whitelist),
    constraints: r.constraints.map(
      (c): ArgumentConstraint => ({ id: c.id, operationPattern: c.operation_pattern, param: c.param, allowed: c.allowed, appliesTo: c.applies_to }),
    ),
    approvalPatterns: r.approvals,
  };
}

export async function loadToolProfile(db: Sql, name: string | null): Promise<ToolProfile | null> {
  const [row] = await db<{ name: string; mode: "meta" | "operations"; operations: string[]; token_budget: number }[]>`
    select name, mode, operations, token_budget from tool_profiles where name = ${name ?? "default"}`;
  return row ? { name: row.name, mode: row.mode, operations: row.operations, tokenBudget: row.token_budget } : null;
}

export async function listToolProfiles(db: Sql): Promise<(ToolProfile & { description: string })[]> {
  const rows = await db<{ name: string; mode: "meta" | "operations"; operations: string[]; token_budget: number; description: string }[]>`
    select name, mode, operations, token_budget, description from tool_profiles order by name`;
  return rows.map((r) => ({ name: r.name, mode: r.mode, operations: r.operations, tokenBudget: r.token_budget, description: r.description }));
}

function checkPattern(pattern: string): void {
  if (!PATTERN_RULE.test(pattern)) throw new Invalid(`"${pattern}" is not an operation id or pattern; use letters, digits, . _ - and * (e.g. ndfc.createVrf or manage.*)`);
}

export async function setEditMode(sql: Sql, actor: AuditActor, enabled: boolean, expiresAt: Date | null): Promise<void> {
  if (expiresAt && expiresAt.getTime() <= Date.now()) throw new Invalid("the edit-mode expiry must be in the future");
  const value = { enabled, expiresAt: enabled && expiresAt ? expiresAt.toISOString() : null };
  await sql.begin(async (tx) => {
    await tx`insert into settings (key, value, updated_by) values ('edit_mode', ${tx.json(value)}, ${actor.username ?? null})
             on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = excluded.updated_by`;
    await recordAudit(tx, {
      action: enabled ? "settings.edit_mode.on" : "settings.edit_mode.off",
      status: "ok",
      actor,
      details: { expiresAt: value.expiresAt },
    });
  });
}

export async function addToWhitelist(sql: Sql, actor: AuditActor, operationId: string, note = ""): Promise<void> {
  checkPattern(operationId);
  if (operationId.includes("*")) throw new Invalid("the whitelist takes exact operation ids, not patterns");
  await sql.begin(async (tx) => {
    await tx`insert into operation_whitelist (operation_id, note, added_by) values (${operationId}, ${note}, ${actor.username ?? null})
             on conflict (operation_id) do update set note = excluded.note`;
    await recordAudit(tx, { action: "settings.whitelist.add", status: "ok", actor, target: { operationId } });
  });
}

export async function removeFromWhitelist(sql: Sql, actor: AuditActor, operationId: string): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx`delete from operation_whitelist where operation_id = ${operationId} returning operation_id`;
    if (!rows.length) throw new NotFound(`${operationId} is not on the whitelist`);
    await recordAudit(tx, { action: "settings.whitelist.remove", status: "ok", actor, target: { operationId } });
  });
}

export async function listWhitelist(db: Sql): Promise<{ operation_id: string; note: string | null; added_by: string | null; added_at: Date }[]> {
  return db`select operation_id, note, added_by, added_at from operation_whitelist order by operation_id`;
}

export async function addConstraint(
  sql: Sql,
  actor: AuditActor,
  c: { operationPattern: string; param: string; allowed: string[]; appliesTo: "write" | "all" },
): Promise<string> {
  checkPattern(c.operationPattern);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(c.param)) throw new Invalid(`"${c.param}" is not a parameter name`);
  const allowed = c.allowed.map((v) => v.trim()).filter(Boolean);
  if (!allowed.length) throw new Invalid("a constraint needs at least one allowed value");
  return sql.begin(async (tx) => {
    const [row] = await tx<{ id: string }[]>`
      insert into argument_constraints (operation_pattern, param, allowed, applies_to, created_by)
      values (${c.operationPattern}, ${c.param}, ${allowed}, ${c.appliesTo}, ${actor.username ?? null}) returning id::text as id`;
    await recordAudit(tx, { action: "settings.constraint.add", status: "ok", actor, target: { resourceType: "constraint", resourceId: row!.id }, details: { ...c, allowed } });
    return row!.id;
  });
}

export async function removeConstraint(sql: Sql, actor: AuditActor, id: string): Promise<void> {
  if (!/^\d+$/.test(id)) throw new Invalid(`"${id}" is not a constraint id; see "settings constraint list"`);
  await sql.begin(async (tx) => {
    const rows = await tx`delete from argument_constraints where id = ${id} returning id`;
    if (!rows.length) throw new NotFound(`constraint ${id} does not exist`);
    await recordAudit(tx, { action: "settings.constraint.remove", status: "ok", actor, target: { resourceType: "constraint", resourceId: id } });
  });
}

export async function addApprovalRule(sql: Sql, actor: AuditActor, pattern: string): Promise<void> {
  checkPattern(pattern);
  await sql.begin(async (tx) => {
    await tx`insert into approval_rules (operation_pattern, created_by) values (${pattern}, ${actor.username ?? null}) on conflict do nothing`;
    await recordAudit(tx, { action: "settings.approval_rule.add", status: "ok", actor, details: { pattern } });
  });
}

export async function removeApprovalRule(sql: Sql, actor: AuditActor, pattern: string): Promise<void> {
  await sql.begin(async (tx) => {
    const rows = await tx`delete from approval_rules where operation_pattern = ${pattern} returning id`;
    if (!rows.length) throw new NotFound(`no approval rule for ${pattern}`);
    await recordAudit(tx, { action: "settings.approval_rule.remove", status: "ok", actor, details: { pattern } });
  });
}

export async function saveToolProfile(sql: Sql, actor: AuditActor, p: ToolProfile & { description?: string }): Promise<void> {
  if (!/^[a-z0-9][a-z0-9_-]{0,63}$/.test(p.name)) throw new Invalid(`"${p.name}" is not a profile name; use lower-case letters, digits, - and _`);
  p.operations.forEach(checkPattern);
  if (p.mode === "operations" && !p.operations.length) throw new Invalid("an 'operations' profile must list the operations it exposes as tools");
  await sql.begin(async (tx) => {
    await tx`insert into tool_profiles (name, mode, operations, token_budget, description)
             values (${p.name}, ${p.mode}, ${p.operations}, ${p.tokenBudget}, ${p.description ?? ""})
             on conflict (name) do update set mode = excluded.mode, operations = excluded.operations,
               token_budget = excluded.token_budget, description = excluded.description, updated_at = now()`;
    await recordAudit(tx, { action: "settings.profile.save", status: "ok", actor, target: { resourceType: "tool_profile", resourceId: p.name }, details: { ...p } });
  });
}
