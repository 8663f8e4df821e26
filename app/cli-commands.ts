/**
 * The domain command table: each domain's `*.cli.ts` contributes its commands here.
 * Keys are the command words (`"user add"`), values the handlers.
 */
import type { CliHandler } from "./cli-context.ts";
import { auditCommands } from "./audit/audit.cli.ts";
import { clusterCommands } from "./clusters/clusters.cli.ts";
import { secretsCommands } from "./secrets/secrets.cli.ts";
import { identityCommands } from "./identity/identity.cli.ts";

export function commandTable(): Record<string, CliHandler> {
  return {
    ...auditCommands(),
    ...clusterCommands(),
    ...secretsCommands(),
    ...identityCommands(),
  };
}
