// `bun run cli appliance event ACTION [KEY=VALUE…]`: the appliance's console menu records what an
// operator did outside the gateway (a root shell, a reboot, a support bundle, a network change) in
// the gateway's tamper-evident audit log, beside every other change. Only the actions below are
// accepted, so the command cannot forge events of the gateway's own domains; details are short
// printable KEY=VALUE pairs and go through the audit log's redaction like every other event.
// Exit codes: 0 recorded, 1 not recorded (the database), 2 usage.
import type { CliContext, CliHandler } from "./cli-context.ts";
import type { AuditAction } from "../audit/audit-actions.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { errorMessage } from "../errors.ts";

export const APPLIANCE_ACTIONS = [
  "appliance.console.shell",
  "appliance.console.reboot",
  "appliance.console.shutdown",
  "appliance.network.change",
  "appliance.names.change",
  "appliance.ssh_key.set",
  "appliance.support_bundle.create",
] as const satisfies readonly AuditAction[];

const isApplianceAction = (a: string): a is (typeof APPLIANCE_ACTIONS)[number] =>
  (APPLIANCE_ACTIONS as readonly string[]).includes(a);

const USAGE = `usage: appliance event ACTION [KEY=VALUE ...]\n  ACTION: ${APPLIANCE_ACTIONS.join(", ")}`;

export function applianceCommands(): Record<string, CliHandler> {
  return { "appliance event": applianceEvent };
}

/** KEY=VALUE pairs, or the reason they are not acceptable. */
export function parseDetails(pairs: string[]): Record<string, string> | string {
  const details: Record<string, string> = {};
  for (const p of pairs) {
    const m = /^([a-z][a-z0-9_]{0,31})=(.*)$/s.exec(p);
    if (!m) return `"${p.slice(0, 40)}" is not KEY=VALUE (KEY: lower-case letters, digits, _)`;
    const value = m[2]!;
    if (value.length > 200 || !/^[\x20-\x7e]*$/.test(value))
      return `the value of ${m[1]} must be at most 200 printable ASCII characters`;
    details[m[1]!] = value;
  }
  return details;
}

const applianceEvent: CliHandler = async (ctx: CliContext, args: string[]) => {
  const [action, ...pairs] = args;
  if (!action || !isApplianceAction(action)) {
    ctx.err(action ? `unknown appliance action "${action}"\n${USAGE}` : USAGE);
    return 2;
  }
  const details = parseDetails(pairs);
  if (typeof details === "string") {
    ctx.err(`${details}\n${USAGE}`);
    return 2;
  }
  try {
    const { sql } = await ctx.db();
    const { id } = await sql.begin((tx) => recordAudit(tx, { action, status: "ok", caller: ctx.caller(), details }));
    ctx.out(`recorded ${action} (audit event ${id})`);
    return 0;
  } catch (e) {
    ctx.err(`appliance event: not recorded: ${errorMessage(e)}`);
    return 1;
  }
};
