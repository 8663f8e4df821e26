// The closed list of audit actions (app/audit/audit-actions.ts): one line of meaning each, and
// complete — the type system refuses any other action in recordAudit; the SQL-side one is here too.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUDIT_ACTIONS, isAuditAction } from "../../app/audit/audit-actions.ts";

test("every action is a dotted lower-case name with a one-line meaning", () => {
  for (const [action, meaning] of Object.entries(AUDIT_ACTIONS)) {
    expect(action).toMatch(/^[a-z]+(\.[a-z_]+)+$/);
    expect(meaning.length).toBeGreaterThan(10);
    expect(meaning).not.toContain("\n");
  }
});

test("actions written by SQL (audit_retain's checkpoint) are in the list; unknown ones are not", () => {
  const sql = readFileSync(join(import.meta.dir, "../../sql/0003_audit.sql"), "utf8");
  for (const [, action] of sql.matchAll(/values \('checkpoint', '([a-z._]+)'/g))
    expect(isAuditAction(action!)).toBe(true);
  expect(isAuditAction("settings.update")).toBe(false);
  expect(isAuditAction("toString")).toBe(false);
});
