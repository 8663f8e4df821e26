// `bun run cli keys …`: show the keyring, rotate its data key. Never prints key material.
import { userInfo } from "node:os";
import type { AuditActor } from "../audit/audit-event.ts";
import type { CliContext, CliHandler } from "../cli-context.ts";
import { loadKeyring, type LoadedKeyring } from "./keyring.ts";
import { rotateKeys } from "./rotate.ts";

export function cliActor(): AuditActor {
  let username: string | null = null;
  try {
    username = userInfo().username;
  } catch {
    // no passwd entry (containers): the audit row still says "cli"
  }
  return { via: "cli", username };
}

/** The keyring for a CLI command: KEK from the configuration, data keys from the database. */
export async function cliKeyring(ctx: CliContext): Promise<LoadedKeyring> {
  const config = ctx.config();
  const db = await ctx.db();
  return loadKeyring({ sql: db.sql, dataDir: config.dataDir, encryptionKey: config.encryptionKey, warn: (m) => ctx.err(`warning: ${m}`), actor: "cli" });
}

export const keysStatus: CliHandler = async (ctx) => {
  const { keyring } = await cliKeyring(ctx);
  const summary = keyring.describe();
  ctx.out(`key-encryption key: ${summary.kekSource === "env" ? "ENCRYPTION_KEY" : summary.kekPath} (id ${summary.kekId})`);
  ctx.out(`active data key:    version ${summary.activeVersion}`);
  for (const v of summary.versions) ctx.out(`  version ${v.version}: ${v.available ? "ok" : `CANNOT OPEN (wrapped by key id ${v.kekId})`}`);
  return summary.versions.every((v) => v.available) ? 0 : 1;
};

export const keysRotate: CliHandler = async (ctx) => {
  const { keyring } = await cliKeyring(ctx);
  const result = await rotateKeys((await ctx.db()).sql, keyring, { actor: cliActor() });
  const counts = Object.entries(result.resealed).map(([column, n]) => `${n} in ${column}`).join(", ");
  ctx.out(`rotated: data key version ${result.fromVersion} → ${result.toVersion}; re-sealed ${counts}`);
  ctx.out("running gateways pick up the new key on their next credential change or cluster load");
  return 0;
};

export function secretsCommands(): Record<string, CliHandler> {
  return { "keys status": keysStatus, "keys rotate": keysRotate };
}
