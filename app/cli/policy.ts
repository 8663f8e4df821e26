/**
 * `bun run cli settings …` and `bun run cli approvals …`: the policy knobs an administrator
 * turns until (and besides) the admin UI. Every change goes through the audited domain calls.
 */
import { parseDuration } from "../config.ts";
import { parseArgs, type CliContext, type CliHandler } from "./cli-context.ts";
import { Invalid } from "../errors.ts";
import { decideApproval, listApprovals } from "../policy/approvals.ts";
import { editModeActive } from "../policy/guard.ts";
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
import { listToolProfiles, listWhitelist, loadPolicySnapshot } from "../policy/policy.sql.ts";
const list = (v: string | true | undefined) =>
  typeof v === "string"
    ? v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
    : [];

function need(value: string | undefined, usage: string): string {
  if (!value) throw new Invalid(`usage: ${usage}`);
  return value;
}

async function show(ctx: CliContext): Promise<number> {
  const sql = (await ctx.db()).sql;
  const p = await loadPolicySnapshot(sql);
  ctx.out(
    `edit mode:   ${editModeActive(p) ? `ON${p.editMode.expiresAt ? ` until ${p.editMode.expiresAt.toISOString()}` : ""}` : "off (read-only)"}`,
  );
  ctx.out(
    `whitelist:   ${[...p.whitelist].join(", ") || "(empty: every write allowed in edit mode; sensitive reads denied)"}`,
  );
  for (const c of p.constraints)
    ctx.out(
      `constraint ${c.id}: ${c.operationPattern} ${c.param} ∈ {${c.allowed.join(", ")}} (${c.appliesTo === "all" ? "all calls" : "writes"})`,
    );
  ctx.out(`approvals:   ${p.approvalPatterns.join(", ") || "(no rule)"}`);
  for (const prof of await listToolProfiles(sql))
    ctx.out(
      `profile ${prof.name}: ${prof.mode}, ${prof.operations.length ? prof.operations.join(",") : "all operations"}, budget ${prof.tokenBudget} tokens`,
    );
  return 0;
}

const commands: Record<string, CliHandler> = {
  "settings show": show,
  "settings edit-mode": async (ctx, args) => {
    const { positional, options } = parseArgs(args);
    const state = need(positional[0], "settings edit-mode on [--for 30m] | off");
    const sql = (await ctx.db()).sql;
    if (state === "off") await setEditMode(sql, ctx.caller(), false, null);
    else if (state === "on") {
      const ms = typeof options.for === "string" ? parseDuration(options.for) : undefined;
      if (options.for !== undefined && !ms)
        throw new Invalid(`--for "${String(options.for)}" is not a duration; use e.g. 30m or 2h`);
      await setEditMode(sql, ctx.caller(), true, ms ? new Date(ctx.caller().now.getTime() + ms) : null);
    } else throw new Invalid("usage: settings edit-mode on [--for 30m] | off");
    return show(ctx);
  },
  "settings whitelist": async (ctx, args) => {
    const [verb, id] = args;
    const sql = (await ctx.db()).sql;
    if (verb === "add") await addToWhitelist(sql, ctx.caller(), need(id, "settings whitelist add OPERATION_ID"));
    else if (verb === "remove")
      await removeFromWhitelist(sql, ctx.caller(), need(id, "settings whitelist remove OPERATION_ID"));
    else if (verb !== "list") throw new Invalid("usage: settings whitelist add|remove|list [OPERATION_ID]");
    for (const row of await listWhitelist(sql))
      ctx.out(`${row.operation_id}  (added by ${row.added_by ?? "?"} ${row.added_at.toISOString()})`);
    return 0;
  },
  "settings constraint": async (ctx, args) => {
    const { positional, options } = parseArgs(args);
    const sql = (await ctx.db()).sql;
    if (positional[0] === "add") {
      const id = await addConstraint(sql, ctx.caller(), {
        operationPattern: need(
          options.operation as string,
          "settings constraint add --operation PATTERN --param NAME --allow a,b [--all-calls]",
        ),
        param: need(options.param as string, "--param NAME"),
        allowed: list(options.allow),
        appliesTo: options["all-calls"] ? "all" : "write",
      });
      ctx.out(`constraint ${id} added`);
    } else if (positional[0] === "remove")
      await removeConstraint(sql, ctx.caller(), need(positional[1], "settings constraint remove ID"));
    else if (positional[0] !== "list") throw new Invalid("usage: settings constraint add|remove|list");
    return show(ctx);
  },
  "settings approval-rule": async (ctx, args) => {
    const [verb, pattern] = args;
    const sql = (await ctx.db()).sql;
    if (verb === "add") await addApprovalRule(sql, ctx.caller(), need(pattern, "settings approval-rule add PATTERN"));
    else if (verb === "remove")
      await removeApprovalRule(sql, ctx.caller(), need(pattern, "settings approval-rule remove PATTERN"));
    else throw new Invalid("usage: settings approval-rule add|remove PATTERN");
    return show(ctx);
  },
  "settings profile": async (ctx, args) => {
    const { positional, options } = parseArgs(args);
    const sql = (await ctx.db()).sql;
    if (positional[0] === "set") {
      const mode = options.mode === "operations" ? "operations" : "meta";
      await saveToolProfile(sql, ctx.caller(), {
        name: need(
          positional[1],
          "settings profile set NAME --mode meta|operations [--operations a,b] [--budget 2000]",
        ),
        mode,
        operations: list(options.operations),
        tokenBudget: Number(options.budget ?? 2000),
      });
    } else if (positional[0] !== "list") throw new Invalid("usage: settings profile set|list");
    return show(ctx);
  },
  "approvals list": async (ctx, args) => {
    const sql = (await ctx.db()).sql;
    for (const a of await listApprovals(sql, args[0] ?? "pending")) {
      ctx.out(
        `${a.id}  ${a.status}  ${a.username} → ${a.operation_id} on ${a.cluster_name}  ${JSON.stringify(a.args)}  (expires ${a.expires_at.toISOString()})`,
      );
    }
    return 0;
  },
  "approvals approve": async (ctx, args) => {
    await decideApproval(
      (await ctx.db()).sql,
      ctx.caller(),
      need(args[0], "approvals approve ID"),
      true,
      args.slice(1).join(" "),
    );
    ctx.out("approved; the requester may now repeat the call once with this approvalId");
    return 0;
  },
  "approvals deny": async (ctx, args) => {
    await decideApproval(
      (await ctx.db()).sql,
      ctx.caller(),
      need(args[0], "approvals deny ID"),
      false,
      args.slice(1).join(" "),
    );
    ctx.out("denied");
    return 0;
  },
};

export function policyCommands(): Record<string, CliHandler> {
  return commands;
}
