/**
 * The domain command table: each domain's `*.cli.ts` contributes its commands here.
 * Keys are the command words (`"user add"`), values the handlers.
 */
import type { CliContext, CliHandler } from "./cli-context.ts";
import { auditCommands } from "./audit.ts";
import { clusterCommands } from "./clusters.ts";
import { secretsCommands } from "./secrets.ts";
import { identityCommands } from "./identity.ts";
import { policyCommands } from "./policy.ts";
import { CATALOG_COMMANDS } from "./catalog.ts";
import { catalogFetchCommand } from "./catalog-fetch.ts";
import { opsCommands } from "./ops.ts";
import { siemCommands } from "./siem.ts";
import { directoryCommands } from "./directory.ts";
import { applianceCommands } from "./appliance.ts";
import { oauthCommands } from "./oauth.ts";

/** The catalog's handlers take (db, args, out); adapt them to the CLI context. */
function catalogCommands(): Record<string, CliHandler> {
  return {
    ...Object.fromEntries(
      Object.entries(CATALOG_COMMANDS).map(([name, run]) => [
        name,
        async (ctx: CliContext, args: string[]) => run((await ctx.db()).sql, args, ctx.out, ctx.caller()),
      ]),
    ),
    "catalog fetch": catalogFetchCommand,
  };
}

export function commandTable(): Record<string, CliHandler> {
  return {
    ...auditCommands(),
    ...clusterCommands(),
    ...secretsCommands(),
    ...identityCommands(),
    ...policyCommands(),
    ...catalogCommands(),
    ...opsCommands(),
    ...siemCommands(),
    ...directoryCommands(),
    ...applianceCommands(),
    ...oauthCommands(),
  };
}
