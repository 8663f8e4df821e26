/**
 * The domain command table: each domain's `*.cli.ts` contributes its commands here.
 * Keys are the command words (`"user add"`), values the handlers.
 */
import type { TransactionSql } from "postgres";
import type { CliContext, CliHandler } from "./cli-context.ts";
import { recordAudit } from "./audit/audit-log.ts";
import { auditCommands } from "./audit/audit.cli.ts";
import { clusterCommands } from "./clusters/clusters.cli.ts";
import { secretsCommands } from "./secrets/secrets.cli.ts";
import { identityCommands } from "./identity/identity.cli.ts";
import { policyCommands } from "./policy/policy.cli.ts";
import { CATALOG_COMMANDS } from "./catalog/catalog.cli.ts";
import { catalogFetchCommand } from "./catalog/catalog-fetch.cli.ts";
import { opsCommands } from "./ops/ops.cli.ts";
import { siemCommands } from "./siem/siem.cli.ts";

/** Catalog imports from the CLI are audited like every other state change. */
const catalogDeps = {
  actor: "cli",
  audit: async (tx: TransactionSql, event: { action: string; details: Record<string, unknown> }) => {
    await recordAudit(tx, { ...event, status: "ok", actor: { via: "cli", username: "cli" } });
  },
};

/** The catalog's handlers take (db, args, out); adapt them to the CLI context. */
function catalogCommands(): Record<string, CliHandler> {
  return {
    ...Object.fromEntries(
      Object.entries(CATALOG_COMMANDS).map(([name, run]) => [name, async (ctx: CliContext, args: string[]) => run((await ctx.db()).sql, args, ctx.out, catalogDeps)]),
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
    ...siemCommands(),
    ...policyCommands(),
    ...catalogCommands(),
    ...opsCommands(),
  };
}
