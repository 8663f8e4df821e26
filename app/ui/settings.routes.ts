/**
 * Page 6: security settings. Thin routes: every change is one call of the policy domain
 * (policy.sql.ts / approvals.ts), which validates, writes the audit row with the session's user,
 * address and browser in the same transaction, and is read again by the very next MCP call.
 */
import { AppError, Invalid } from "../errors.ts";
import type { Principal } from "../identity/principal.ts";
import { PERMISSIONS, type Permission } from "../identity/permissions.ts";
import { listRoles } from "../identity/roles.ts";
import { mcpDeps } from "../mcp/mcp-domain-deps.ts";
import { approxTokens, surfaceFor } from "../mcp/tool-registry.ts";
import { canWrite } from "../policy/risk-permissions.ts";
import { getApprovalSettings, setApprovalSettings } from "../policy/approvals.ts";
import { editModeActive } from "../policy/guard.ts";
import { listToolProfiles, listWhitelist, loadPolicySnapshot, loadToolProfile } from "../policy/policy.sql.ts";
import {
  addApprovalRule,
  addConstraint,
  addToWhitelist,
  removeApprovalRule,
  removeConstraint,
  removeFromWhitelist,
  saveToolProfile,
  setEditMode,
} from "../policy/policy-settings.ts";
import {
  editModeStatus,
  operationResults,
  settingsPage,
  type OperationHit,
  type SettingsProps,
} from "../../views/settings.ts";
import { redirect } from "./ui-app.ts";
import type { Caller } from "./ui-caller.ts";
import { field, get, post, type SignedInRequest, type UiResult, type UiRoute } from "./ui-route.ts";

const DEFAULT_EDIT_MINUTES = 30;

const SAVED: Record<string, string> = {
  "edit-on": "Edit mode is on.",
  "edit-off": "Edit mode is off: the gateway is read-only.",
  "whitelist-add": "Added to the whitelist.",
  "whitelist-remove": "Removed from the whitelist.",
  "constraint-add": "Constraint added.",
  "constraint-remove": "Constraint removed.",
  "rule-add": "Approval rule added.",
  "rule-remove": "Approval rule removed.",
  approvals: "Approval settings saved.",
  profile: "Tool profile saved.",
};

async function opHit(req: SignedInRequest, id: string): Promise<OperationHit | null> {
  const op = await req.deps.services.operationCache.get(req.deps.sql, id);
  return op ? { id: op.id, summary: op.summary, method: op.method, path: op.path, risk: op.risk } : null;
}

/** What each role's tools/list costs: its profile's surface for a holder of exactly that role. */
async function roleSurfaces(req: SignedInRequest): Promise<SettingsProps["roles"]> {
  const deps = mcpDeps(req.deps.sql, req.deps.config, req.deps.services, req.deps.log);
  const roles = await listRoles(req.deps.sql);
  return Promise.all(
    roles.map(async (r) => {
      const principal: Principal = {
        userId: "",
        username: r.name,
        active: true,
        roles: [r.name],
        permissions: new Set<Permission>(r.permissions.filter((x) => PERMISSIONS.includes(x))),
        clusterAccess: "all",
        toolProfile: r.toolProfile,
        via: "session",
      };
      const profile = await loadToolProfile(req.deps.sql, r.toolProfile);
      const surface = await surfaceFor(deps, profile, principal);
      return {
        name: r.name,
        profile: r.toolProfile ?? "default",
        tools: surface.tools.length,
        tokens: surface.tools.reduce((n, t) => n + approxTokens(t), 0),
        writes: canWrite(principal),
      };
    }),
  );
}

async function page(req: SignedInRequest, message: SettingsProps["message"] = null, status = 200): Promise<UiResult> {
  const sql = req.deps.sql;
  const [policy, whitelist, approvalSettings, profiles, roles] = await Promise.all([
    loadPolicySnapshot(sql),
    listWhitelist(sql),
    getApprovalSettings(sql),
    listToolProfiles(sql),
    roleSurfaces(req),
  ]);
  const active = editModeActive(policy);
  const props: SettingsProps = {
    csrf: req.session.csrf,
    now: policy.now,
    message,
    editMode: {
      active,
      expiresAt: active ? policy.editMode.expiresAt : null,
      expired: policy.editMode.enabled && !active,
    },
    defaultMinutes: DEFAULT_EDIT_MINUTES,
    whitelist: await Promise.all(
      whitelist.map(async (w) => ({
        operationId: w.operation_id,
        addedBy: w.added_by,
        addedAt: w.added_at,
        op: await opHit(req, w.operation_id),
      })),
    ),
    constraints: policy.constraints.map((c) => ({
      id: c.id,
      operationPattern: c.operationPattern,
      param: c.param,
      allowed: c.allowed,
      appliesTo: c.appliesTo,
    })),
    approvalRules: [...policy.approvalPatterns].sort(),
    approvalSettings,
    profiles,
    roles,
  };
  return { title: "Security settings", main: settingsPage(props), status };
}

/** A change: run it, then back to the page with what happened (or the page with the error). */
function change(
  path: string,
  saved: keyof typeof SAVED,
  run: (req: SignedInRequest, caller: Caller) => Promise<unknown>,
): UiRoute {
  return post(path, "settings:manage", async (req) => {
    let outcome: string = saved;
    try {
      const r = await run(req, req.session.caller);
      if (typeof r === "string" && r in SAVED) outcome = r;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return page(req, { kind: "bad", text: err.message }, err.status);
    }
    return redirect(req, `/settings?saved=${outcome}`);
  });
}

function minutes(value: string, what: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max)
    throw new Invalid(`${what} must be a whole number of minutes from 1 to ${max}; got “${value.slice(0, 20)}”`);
  return n;
}

export function settingsRoutes(): UiRoute[] {
  return [
    get("/settings", "settings:manage", (req) => {
      const saved = req.url.searchParams.get("saved");
      return page(req, saved && SAVED[saved] ? { kind: "ok", text: SAVED[saved]! } : null);
    }),

    get("/settings/edit-mode", "settings:manage", async (req) => {
      const policy = await loadPolicySnapshot(req.deps.sql);
      const active = editModeActive(policy);
      const status = editModeStatus(
        { active, expiresAt: active ? policy.editMode.expiresAt : null, expired: policy.editMode.enabled && !active },
        policy.now,
      );
      return { title: "Edit mode", main: status, fragment: status };
    }),

    get("/settings/operations", "settings:manage", async (req) => {
      const q = (req.url.searchParams.get("q") ?? "").trim().slice(0, 200);
      const hits = q ? await req.deps.services.catalogIndex.search(req.deps.sql, q, { limit: 15 }) : [];
      const whitelisted = new Set((await listWhitelist(req.deps.sql)).map((w) => w.operation_id));
      const results = operationResults(
        q,
        hits.map((h) => ({
          id: h.id,
          summary: h.operation.summary,
          method: h.operation.method,
          path: h.operation.path,
          risk: h.operation.risk,
        })),
        req.session.csrf,
        whitelisted,
      );
      return { title: "Find an operation", main: results, fragment: results };
    }),

    change("/settings/edit-mode", "edit-on", async (req, caller) => {
      if (field(req.form, "state") === "off") {
        await setEditMode(req.deps.sql, caller, false, null);
        return "edit-off";
      }
      const m = minutes(field(req.form, "minutes") || String(DEFAULT_EDIT_MINUTES), "The edit-mode duration", 24 * 60);
      await setEditMode(req.deps.sql, caller, true, new Date(Date.now() + m * 60_000));
    }),
    change("/settings/whitelist/add", "whitelist-add", async (req, caller) => {
      const id = field(req.form, "operation");
      if (!(await req.deps.services.operationCache.get(req.deps.sql, id)))
        throw new Invalid(`${id || "(empty)"} is not an operation of the active catalog; search for it above`);
      await addToWhitelist(req.deps.sql, caller, id);
    }),
    change("/settings/whitelist/remove", "whitelist-remove", (req, caller) =>
      removeFromWhitelist(req.deps.sql, caller, field(req.form, "operation")),
    ),
    change("/settings/constraints/add", "constraint-add", (req, caller) =>
      addConstraint(req.deps.sql, caller, {
        operationPattern: field(req.form, "operation"),
        param: field(req.form, "param"),
        allowed: field(req.form, "allowed").split(","),
        appliesTo: field(req.form, "applies") === "all" ? "all" : "write",
      }),
    ),
    change("/settings/constraints/remove", "constraint-remove", (req, caller) =>
      removeConstraint(req.deps.sql, caller, field(req.form, "id")),
    ),
    change("/settings/approval-rules/add", "rule-add", (req, caller) =>
      addApprovalRule(req.deps.sql, caller, field(req.form, "pattern")),
    ),
    change("/settings/approval-rules/remove", "rule-remove", (req, caller) =>
      removeApprovalRule(req.deps.sql, caller, field(req.form, "pattern")),
    ),
    change("/settings/approvals", "approvals", (req, caller) =>
      setApprovalSettings(req.deps.sql, caller, {
        ttlMinutes: minutes(field(req.form, "ttl"), "The approval expiry", 7 * 24 * 60),
        allowSelfApproval: field(req.form, "self") === "1",
      }),
    ),
    change("/settings/profiles", "profile", (req, caller) => {
      const budget = Number(field(req.form, "budget") || 2000);
      if (!Number.isInteger(budget) || budget < 200 || budget > 200_000)
        throw new Invalid("the token budget must be a whole number from 200 to 200000");
      return saveToolProfile(req.deps.sql, caller, {
        name: field(req.form, "name"),
        mode: field(req.form, "mode") === "operations" ? "operations" : "meta",
        operations: field(req.form, "operations")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        tokenBudget: budget,
        description: field(req.form, "description"),
      });
    }),
  ];
}
