// `bun run cli backup …`, `restore …`, `password check`: operations commands. Handlers follow the
// CliHandler contract (app/cli-context.ts): 0 ok, 1 failure, 2 usage. Secrets (passphrase, key)
// come from files, never from argv, and are never printed — except the key itself with
// `restore --key-out -`, which writes it to standard output for a root wrapper to install.
import { readFileSync } from "node:fs";
import { parseArgs, type CliContext, type CliHandler } from "./cli-context.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { errorMessage } from "../errors.ts";
import { passwordProblems } from "../identity/password-policy.ts";
import { openEncryption, readHeader, scanArchive, type BackupHeader } from "../ops/backup-archive.ts";
import { BackupError } from "../ops/backup-error.ts";
import { configuredKey } from "../ops/backup-key.ts";
import { createBackup } from "../ops/backup.ts";
import { restoreBackup } from "../ops/restore.ts";

const OK = 0;
const FAILED = 1;
const USAGE = 2;

const BACKUP_USAGE =
  "usage: backup --out FILE|- [--passphrase-file FILE]\n" +
  "  with --passphrase-file the archive is encrypted and carries the encryption key; without it, it carries neither";
const VERIFY_USAGE = "usage: backup verify --in FILE [--passphrase-file FILE]";
const RESTORE_USAGE =
  "usage: restore --in FILE [--passphrase-file FILE] [--key-out FILE|-] [--force] [--no-privileges]\n" +
  "  replaces the whole database; stop the gateway first";
const PASSWORD_USAGE = "usage: password check [--user NAME]   (the password on standard input)";

export function opsCommands(): Record<string, CliHandler> {
  return {
    backup: backupCommand,
    "backup verify": verifyCommand,
    restore: restoreCommand,
    "password check": passwordCheckCommand,
  };
}

function readPassphrase(options: Record<string, string | true>): string | undefined {
  const file = options["passphrase-file"];
  if (file === undefined) return undefined;
  if (typeof file !== "string") throw new BackupError("passphrase_needed", "--passphrase-file needs a path");
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch {
    throw new BackupError("passphrase_needed", `--passphrase-file: cannot read ${file}`);
  }
}

function databaseUrl(ctx: CliContext): string {
  const url = ctx.config().databaseUrl;
  if (!url) {
    throw new BackupError(
      "unsupported",
      "backup and restore need PostgreSQL (DATABASE_URL); the embedded demo database is DATA_DIR/pglite — copy that directory while the gateway is stopped",
    );
  }
  return url;
}

/** `backup --out FILE|- [--passphrase-file F]` */
export const backupCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const out = options.out;
  if (typeof out !== "string" || positional.length > 0) {
    ctx.err(BACKUP_USAGE);
    return USAGE;
  }
  // With the archive on standard output, every message goes to standard error.
  const say = out === "-" ? ctx.err : ctx.out;
  const config = ctx.config();
  const url = databaseUrl(ctx);
  const passphrase = readPassphrase(options);
  const key = configuredKey({ dataDir: config.dataDir, encryptionKey: config.encryptionKey });
  const { sql } = await ctx.db();
  const started = performance.now();
  try {
    const result = await createBackup(sql, ctx.caller(), {
      databaseUrl: url,
      env: ctx.env,
      out,
      passphrase,
      key,
      appVersion: config.version,
      warn: (m) => ctx.err(`warning: ${m}`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    await recordAudit(sql, {
      action: "backup.create",
      status: "ok",
      caller: ctx.caller(),
      target: { resourceType: "backup", resourceId: result.header.createdAt },
      details: {
        file: result.path,
        dumpBytes: result.end.dumpBytes,
        dumpSha256: result.end.dumpSha256,
        schemaVersion: result.header.schema.version,
        encrypted: result.header.encryption !== null,
        keyIncluded: result.header.key.included,
        keyId: result.header.key.id,
      },
    });
    say(
      `backup written to ${result.path} in ${seconds} s: schema version ${result.header.schema.version}, database dump ${formatBytes(result.end.dumpBytes)}`,
    );
    say(
      result.header.encryption
        ? `encrypted with the passphrase; carries the encryption key (id ${result.header.key.id ?? "none"})`
        : "NOT encrypted; does NOT carry the encryption key",
    );
    return OK;
  } catch (err) {
    await recordAudit(sql, {
      action: "backup.create",
      status: "failed",
      caller: ctx.caller(),
      target: { resourceType: "backup" },
      error: errorMessage(err),
      details: { file: out },
    }).catch(() => {});
    throw err;
  }
};

/** `backup verify --in FILE [--passphrase-file F]` — reads the whole archive, changes nothing. */
export const verifyCommand: CliHandler = async (ctx, args) => {
  const { options } = parseArgs(args);
  if (typeof options.in !== "string") {
    ctx.err(VERIFY_USAGE);
    return USAGE;
  }
  const { header } = await readHeader(options.in);
  describeHeader(ctx, header);
  const passphrase = readPassphrase(options);
  if (header.encryption && passphrase === undefined) {
    ctx.out("encrypted: give --passphrase-file to check its contents");
    return FAILED;
  }
  const key = header.encryption ? await openEncryption(header.encryption, passphrase!) : undefined;
  const scanned = await scanArchive(options.in, key);
  ctx.out(
    `intact: database dump ${formatBytes(scanned.end.dumpBytes)}, sha256 ${scanned.end.dumpSha256}${scanned.keyText ? "; the encryption key is inside" : ""}`,
  );
  return OK;
};

/** `restore --in FILE [--passphrase-file F] [--key-out FILE|-] [--force] [--no-privileges]` */
export const restoreCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  const input = options.in;
  const keyOut = options["key-out"];
  if (typeof input !== "string" || positional.length > 0 || keyOut === true) {
    ctx.err(RESTORE_USAGE);
    return USAGE;
  }
  const say = keyOut === "-" ? ctx.err : ctx.out;
  const config = ctx.config();
  const result = await restoreBackup({
    databaseUrl: databaseUrl(ctx),
    env: ctx.env,
    input,
    passphrase: readPassphrase(options),
    force: options.force === true,
    noPrivileges: options["no-privileges"] === true,
    keyOut: typeof keyOut === "string" ? keyOut : undefined,
    configured: configuredKey({ dataDir: config.dataDir, encryptionKey: config.encryptionKey }),
    dataDir: config.dataDir,
    caller: ctx.caller(),
    warn: (m) => ctx.err(`warning: ${m}`),
  });
  say(
    `restored the backup of ${result.header.createdAt} (host ${result.header.host}, app ${result.header.app.version}): schema version ${result.restoredVersion}`,
  );
  const k = result.key;
  if (k.kind === "install")
    say(
      `encryption key (id ${k.id}) installed at ${k.path}${k.previous ? `; the previous key was kept as ${k.previous}` : ""}`,
    );
  if (k.kind === "key-out")
    say(
      k.path === "-"
        ? `encryption key (id ${k.id}) written to standard output`
        : `encryption key (id ${k.id}) written to ${k.path}: point ENCRYPTION_KEY_FILE at it`,
    );
  if (k.kind === "same") say(`encryption key: the configured key (id ${k.id}) opens this backup`);
  if (k.kind === "none") say("encryption key: none — stored ND credentials cannot be opened");
  let ok = true;
  if ("error" in result.chain) {
    ok = false;
    ctx.err(`audit chain could not be verified: ${result.chain.error}`);
  } else if (result.chain.problem) {
    ok = false;
    ctx.err(`audit chain NOT ok: ${result.chain.problem.message}`);
  } else {
    say(`audit chain ok: ${result.chain.checked} event(s) verified`);
  }
  const c = result.credentials;
  if (c.failures.length > 0) {
    ok = false;
    ctx.err(`stored credentials: ${c.opened} of ${c.total} open; cannot open ${c.failures.join(", ")}`);
  } else {
    say(`stored credentials: ${c.total} of ${c.total} open`);
  }
  if (result.keyText !== undefined) ctx.out(result.keyText);
  return ok ? OK : FAILED;
};

/** `password check [--user NAME]` — the product's password policy for scripts (the wizard). */
export const passwordCheckCommand: CliHandler = async (ctx, args) => {
  const { positional, options } = parseArgs(args);
  if (positional.length > 0 || options.user === true) {
    ctx.err(PASSWORD_USAGE);
    return USAGE;
  }
  const password = (await Bun.stdin.text()).replace(/\r?\n$/, "");
  const problems = passwordProblems(password, typeof options.user === "string" ? options.user : "admin");
  if (problems.length === 0) return OK;
  ctx.out(`the password ${problems.join("; ")}`);
  return FAILED;
};

function describeHeader(ctx: CliContext, h: BackupHeader): void {
  ctx.out(`backup of database ${h.database} on ${h.host}, ${h.createdAt} (app ${h.app.version}, ${h.pgDump})`);
  ctx.out(`schema version ${h.schema.version}; data keys wrapped by key id ${h.keyring.kekIds.join(", ") || "-"}`);
  ctx.out(
    h.encryption
      ? `encrypted (AES-256-GCM, scrypt N=${h.encryption.n}); key ${h.key.included ? `included (id ${h.key.id})` : "not included"}`
      : "not encrypted; key not included",
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
