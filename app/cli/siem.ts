// `bun run cli siem …`: stream the audit log to a SIEM (syslog over TLS/TCP/UDP, Splunk HEC).
// The HEC token is read from a file or stdin, never from the command line (it shows in `ps`).
// Handlers follow the CliHandler contract: 0 ok, 1 failure, 2 usage.
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { parseArgs } from "./cli-context.ts";
import { cliKeyring } from "./secrets.ts";
import {
  addDestination,
  listDestinations,
  removeDestination,
  setDestinationEnabled,
  testDestination,
} from "../siem/siem-destinations.ts";

const ADD_USAGE =
  "usage: siem add NAME --url (syslog+tls|syslog+tcp|syslog+udp)://HOST[:PORT] | https://HOST[:PORT]/services/collector/event\n" +
  "         [--format json|cef] [--ca-file PEM] [--token-file FILE | --token-stdin] [--from now|start]";

export function siemCommands(): Record<string, CliHandler> {
  return {
    "siem add": add,
    "siem list": list,
    "siem test": test,
    "siem enable": (ctx, args) => toggle(ctx, args, true),
    "siem disable": (ctx, args) => toggle(ctx, args, false),
    "siem remove": remove,
  };
}

const str = (v: string | true | undefined) => (typeof v === "string" ? v : undefined);

const add: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const name = positional[0];
  const url = str(options.url);
  if (!name || !url) return usage(ctx, ADD_USAGE);
  const from = str(options.from) ?? "now";
  if (from !== "now" && from !== "start")
    return usage(ctx, "--from is now (only new events) or start (the whole retained log)");
  const caFile = str(options["ca-file"]);
  const tokenFile = str(options["token-file"]);
  const token = tokenFile ? readFileSync(tokenFile, "utf8") : options["token-stdin"] ? await Bun.stdin.text() : null;
  const { keyring } = await cliKeyring(ctx);
  const d = await addDestination(
    (await ctx.db()).sql,
    ctx.caller(),
    {
      name,
      url,
      format: str(options.format),
      caPem: caFile ? readFileSync(caFile, "utf8") : null,
      token,
      from,
    },
    { keyring },
  );
  ctx.out(
    `added SIEM destination ${d.name}: ${d.url} (${d.format}); running gateways start sending within a few seconds`,
  );
  if (d.transport === "syslog+tcp" || d.transport === "syslog+udp")
    ctx.out(`warning: ${d.transport} is not encrypted; use syslog+tls outside a lab`);
  return 0;
};

const list: CliHandler = async (ctx) => {
  const rows = await listDestinations((await ctx.db()).sql, ctx.caller());
  if (rows.length === 0) {
    ctx.out("no SIEM destinations; add one with: siem add NAME --url syslog+tls://HOST:6514");
    return 0;
  }
  for (const d of rows) {
    const c = d.cursor;
    const state = d.enabled ? "enabled" : "disabled";
    const last = c?.lastDeliveredAt ? `last delivery ${c.lastDeliveredAt.toISOString()}` : "nothing delivered yet";
    ctx.out(`${d.name}  ${d.url}  ${d.format}  ${state}${d.unencrypted ? "  UNENCRYPTED" : ""}`);
    ctx.out(
      `  delivered up to seq ${c?.deliveredSeq ?? "?"} (${c?.deliveredCount ?? 0} events, ${c?.replayedCount ?? 0} replays), backlog ${d.backlog}, ${last}`,
    );
    if (c?.lastError) ctx.out(`  last error (${c.lastErrorAt?.toISOString()}): ${c.lastError}`);
  }
  return 0;
};

const test: CliHandler = async (ctx, args) => {
  const name = args[0];
  if (!name) return usage(ctx, "usage: siem test NAME");
  const { keyring } = await cliKeyring(ctx);
  const result = await testDestination(
    (await ctx.db()).sql,
    ctx.caller(),
    name,
    { hostname: hostname(), version: ctx.config().version },
    { keyring },
  );
  if (result.ok) ctx.out(`${name}: test event accepted`);
  else ctx.err(`${name}: test event not delivered: ${result.error}`);
  return result.ok ? 0 : 1;
};

async function toggle(ctx: CliContext, args: string[], enabled: boolean): Promise<number> {
  const name = args[0];
  if (!name) return usage(ctx, `usage: siem ${enabled ? "enable" : "disable"} NAME`);
  await setDestinationEnabled((await ctx.db()).sql, ctx.caller(), name, enabled);
  ctx.out(`${name}: ${enabled ? "enabled (resumes from its cursor)" : "disabled (its cursor is kept)"}`);
  return 0;
}

const remove: CliHandler = async (ctx, args) => {
  const name = args[0];
  if (!name) return usage(ctx, "usage: siem remove NAME");
  await removeDestination((await ctx.db()).sql, ctx.caller(), name);
  ctx.out(`removed SIEM destination ${name}`);
  return 0;
};

function usage(ctx: CliContext, text: string): number {
  ctx.err(text);
  return 2;
}
