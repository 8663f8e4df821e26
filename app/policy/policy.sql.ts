/**
 * The policy queries: the snapshot the guard decides on, tool profiles, and the rows behind edit
 * mode, the whitelist, argument constraints and approval rules. Queries only — validation,
 * permission checks, transactions and audit live in policy-settings.ts. The snapshot is read
 * from the database on every decision (one round trip), never cached in the process: an
 * edit-mode change takes effect on the very next call on every node.
 */
import type { Sql } from "postgres";
import type { Db } from "../db.ts";
import type { ArgumentConstraint, PolicySnapshot, ToolProfile } from "./guard.ts";

interface SnapshotRow {
  edit_mode: { enabled?: boolean; expiresAt?: string | null } | null;
  whitelist: string[];
  constraints: {
    id: string;
    operation_pattern: string;
    param: string;
    allowed: string[];
    applies_to: "write" | "all";
  }[];
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
    editMode: {
      enabled: r.edit_mode?.enabled === true,
      expiresAt: r.edit_mode?.expiresAt ? new Date(r.edit_mode.expiresAt) : null,
    },
    whitelist: new Set(r.whitelist),
    constraints: r.constraints.map(
      (c): ArgumentConstraint => ({
        id: c.id,
        operationPattern: c.operation_pattern,
        param: c.param,
        allowed: c.allowed,
        appliesTo: c.applies_to,
      }),
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
  const rows = await db<
    { name: string; mode: "meta" | "operations"; operations: string[]; token_budget: number; description: string }[]
  >`
    select name, mode, operations, token_budget, description from tool_profiles order by name`;
  return rows.map((r) => ({
    name: r.name,
    mode: r.mode,
    operations: r.operations,
    tokenBudget: r.token_budget,
    description: r.description,
  }));
}

export async function upsertEditMode(
  db: Db,
  value: { enabled: boolean; expiresAt: string | null },
  by: string,
): Promise<void> {
  await db`insert into settings (key, value, updated_by) values ('edit_mode', ${db.json(value)}, ${by})
           on conflict (key) do update set value = excluded.value, updated_at = now(), updated_by = excluded.updated_by`;
}

export async function upsertWhitelistEntry(db: Db, operationId: string, note: string, by: string): Promise<void> {
  await db`insert into operation_whitelist (operation_id, note, added_by) values (${operationId}, ${note}, ${by})
           on conflict (operation_id) do update set note = excluded.note`;
}

/** False when the id was not on the whitelist. */
export async function deleteWhitelistEntry(db: Db, operationId: string): Promise<boolean> {
  const rows = await db`delete from operation_whitelist where operation_id = ${operationId} returning operation_id`;
  return rows.length > 0;
}

export async function listWhitelist(
  db: Db,
): Promise<{ operation_id: string; note: string | null; added_by: string | null; added_at: Date }[]> {
  return db`select operation_id, note, added_by, added_at from operation_whitelist order by operation_id`;
}

export async function insertConstraint(
  db: Db,
  c: { operationPattern: string; param: string; allowed: string[]; appliesTo: "write" | "all" },
  by: string,
): Promise<string> {
  const [row] = await db<{ id: string }[]>`
    insert into argument_constraints (operation_pattern, param, allowed, applies_to, created_by)
    values (${c.operationPattern}, ${c.param}, ${c.allowed}, ${c.appliesTo}, ${by}) returning id::text as id`;
  return row!.id;
}

/** False when no constraint has this id. */
export async function deleteConstraint(db: Db, id: string): Promise<boolean> {
  const rows = await db`delete from argument_constraints where id = ${id} returning id`;
  return rows.length > 0;
}

export async function insertApprovalRule(db: Db, pattern: string, by: string): Promise<void> {
  await db`insert into approval_rules (operation_pattern, created_by) values (${pattern}, ${by}) on conflict do nothing`;
}

/** False when no rule has this pattern. */
export async function deleteApprovalRule(db: Db, pattern: string): Promise<boolean> {
  const rows = await db`delete from approval_rules where operation_pattern = ${pattern} returning id`;
  return rows.length > 0;
}

export async function upsertToolProfile(db: Db, p: ToolProfile & { description?: string }): Promise<void> {
  await db`insert into tool_profiles (name, mode, operations, token_budget, description)
           values (${p.name}, ${p.mode}, ${p.operations}, ${p.tokenBudget}, ${p.description ?? ""})
           on conflict (name) do update set mode = excluded.mode, operations = excluded.operations,
             token_budget = excluded.token_budget, description = excluded.description, updated_at = now()`;
}
