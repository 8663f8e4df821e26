// `bun run cli keys …`: show the keyring, rotate its data key, re-wrap it under a new
// key-encryption key. Never prints key material (only key ids and version numbers).
import { readFileSync } from "node:fs";
import { parseArgs, type CliContext, type CliHandler } from "./cli-context.ts";
import { Invalid } from "../errors.ts";
import { loadKeyring, type LoadedKeyring } from "../secrets/keyring.ts";
import { masterKeyFrom, replaceKeyFile } from "../secrets/master-key.ts";
import { rewrapKeys } from "../secrets/rewrap.ts";
import { rotateKeys } from "../secrets/rotate.ts";

/** The keyring for a CLI command: KEK from the configuration, data keys from the database. */
export async function cliKeyring(ctx: CliContext): Promise<LoadedKeyring> {
  const config = ctx.config();
  const db = await ctx.db();
  return loadKeyring({
    sql: db.sql,
    dataDir: config.dataDir,
    encryptionKey: config.encryptionKey,
    warn: (m) => ctx.err(`warning: ${m}`),
    actor: "cli",
  });
}

export const keysStatus: CliHandler = async (ctx) => {
  const { keyring } = await cliKeyring(ctx);
  const summary = keyring.describe();
  ctx.out(
    `key-encryption key: ${summary.kekSource === "env" ? "ENCRYPTION_KEY" : summary.kekPath} (id ${summary.kekId})`,
  );
  ctx.out(`active data key:    version ${summary.activeVersion}`);
  for (const v of summary.versions)
    ctx.out(`  version ${v.version}: ${v.available ? "ok" : `CANNOT OPEN (wrapped by key id ${v.kekId})`}`);
  return summary.versions.every((v) => v.available) ? 0 : 1;
};

export const keysRotate: CliHandler = async (ctx) => {
  const { keyring } = await cliKeyring(ctx);
  const result = await rotateKeys((await ctx.db()).sql, ctx.caller(), keyring);
  const counts = Object.entries(result.resealed)
    .map(([column, n]) => `${n} in ${column}`)
    .join(", ");
  ctx.out(`rotated: data key version ${result.fromVersion} → ${result.toVersion}; re-sealed ${counts}`);
  ctx.out(
    "running gateways pick up the new key version by themselves (on their next credential change or cluster load)",
  );
  return 0;
};

/** `keys rewrap --new-key-file FILE`: wrap every data key under a new key-encryption key. */
export const keysRewrap: CliHandler = async (ctx, args) => {
  const file = parseArgs(args).options["new-key-file"];
  if (typeof file !== "string") {
    ctx.err("usage: keys rewrap --new-key-file FILE   (FILE holds a new key, e.g. from: openssl rand -base64 32)");
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new Invalid(`--new-key-file: cannot read ${file}`);
  }
  const next = masterKeyFrom(text, file);
  const { keyring } = await cliKeyring(ctx);
  const before = keyring.describe();
  const result = await rewrapKeys((await ctx.db()).sql, ctx.caller(), keyring, next);
  ctx.out(
    `re-wrapped data key version(s) ${result.versions.join(", ")}: key id ${result.fromKeyId} → ${result.toKeyId}`,
  );
  if (before.kekSource === "file" && before.kekPath) {
    replaceKeyFile(before.kekPath, next.key);
    ctx.out(
      `${before.kekPath} now holds the new key; restart the gateway (every node sharing this database needs the new key)`,
    );
  } else {
    ctx.out(
      "now set ENCRYPTION_KEY (or ENCRYPTION_KEY_FILE) to the new key on every node and restart them; until then a restarted node cannot open stored credentials",
    );
  }
  return 0;
};

export function secretsCommands(): Record<string, CliHandler> {
  return { "keys status": keysStatus, "keys rotate": keysRotate, "keys rewrap": keysRewrap };
}
