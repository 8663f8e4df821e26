/**
 * `restore`: replaces the whole database with a backup archive (backup.ts), puts the archive's
 * key-encryption key where the configuration expects it, then proves the result: the audit
 * chain verifies and every stored credential opens.
 *
 * Guarantees:
 *   - Nothing changes before the archive has been read completely once and found intact
 *     (authenticated when encrypted, checksummed when not), the passphrase is right, the key
 *     question is settled (the archive's key, or a configured key the database was sealed with)
 *     and the schema versions agree — or --force says otherwise.
 *   - The database is replaced in ONE transaction: every object of the public schema is dropped
 *     and the dump recreated (psql, ON_ERROR_STOP); COMMIT is sent only after pg_restore finished
 *     cleanly and the archive's second read authenticated to the end, so any failure leaves the
 *     database exactly as it was.
 *   - It refuses while other sessions use the database (a running gateway) unless --force.
 *   - The attempt is audited: `backup.restore` in the restored database (or, on failure, in the
 *     unchanged one when it has an audit log).
 *   - The key is written only after the commit: a key file that differs is kept beside it
 *     (encryption.key.before-restore-…), never overwritten in place.
 */
import { existsSync, mkdirSync, renameSync } from "node:fs";
import { join } from "node:path";
import type { Sql } from "postgres";
import { requirePermission } from "../identity/authorize.ts";
import type { Caller } from "../identity/caller.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { verifyAuditChain, type VerifyResult } from "../audit/audit-verify.ts";
import { connect } from "../db.ts";
import { errorMessage } from "../errors.ts";
import { readMigrations } from "../migrate.ts";
import { Keyring, syncKeyring } from "../secrets/keyring.ts";
import { masterKeyFrom } from "../secrets/master-key.ts";
import { open } from "../secrets/seal.ts";
import { SEALED_COLUMNS, bindingFor } from "../secrets/sealed-columns.ts";
import { openEncryption, readHeader, scanArchive, type BackupHeader } from "./backup-archive.ts";
import { BackupError } from "./backup-error.ts";
import { KEY_FILE_NAME, archiveKey, writeKeyFile, type ConfiguredKey } from "./backup-key.ts";
import { chunks, collectStderr, libpqEnv, pgTool, toolFailure } from "./pg-tools.ts";

export interface RestoreOptions {
  databaseUrl: string;
  env: Record<string, string | undefined>;
  input: string;
  passphrase?: string;
  /** Restore across schema versions, into a busy database, or without the key. */
  force: boolean;
  /** Skip the dump's GRANT/REVOKE (for a server that lacks the roles it names). */
  noPrivileges: boolean;
  /** Write the archive's key to this file ("-": return it to the caller) instead of installing it. */
  keyOut?: string;
  configured: ConfiguredKey | undefined;
  dataDir: string;
  /** The operator restoring (audited as the restore's actor in the restored database). */
  caller: Caller;
  warn(message: string): void;
}

export type KeyAction =
  | { kind: "same"; id: string } // the configured key is the right one already
  | { kind: "install"; id: string; path: string; previous?: string } // DATA_DIR/encryption.key
  | { kind: "key-out"; id: string; path: string } // --key-out FILE / "-"
  | { kind: "none" }; // no key anywhere (--force)

export interface CredentialCheck {
  total: number;
  opened: number;
  failures: string[];
}

export interface RestoreResult {
  header: BackupHeader;
  restoredVersion: number;
  buildVersion: number;
  key: KeyAction;
  /** The archive's key when --key-out - was asked for. */
  keyText?: string;
  chain: VerifyResult | { error: string };
  credentials: CredentialCheck;
  unavailableKeyVersions: number[];
}

export async function restoreBackup(opts: RestoreOptions): Promise<RestoreResult> {
  requirePermission(opts.caller.principal, "settings:manage");
  try {
    return await restore(opts);
  } catch (err) {
    await auditFailure(opts, err);
    throw err;
  }
}

async function restore(opts: RestoreOptions): Promise<RestoreResult> {
  // 1. The archive: header, passphrase, one complete read.
  const { header } = await readHeader(opts.input);
  let dataKey: Buffer | undefined;
  if (header.encryption) {
    if (opts.passphrase === undefined)
      throw new BackupError(
        "passphrase_needed",
        "this backup is encrypted: give its passphrase with --passphrase-file FILE",
      );
    dataKey = await openEncryption(header.encryption, opts.passphrase);
  } else if (opts.passphrase !== undefined) {
    opts.warn("this backup is not encrypted; --passphrase-file is not needed");
  }
  const scanned = await scanArchive(opts.input, dataKey);
  const fromArchive = scanned.keyText !== undefined ? archiveKey(scanned.keyText, header.key.id) : undefined;

  // 2. The key and the schema, before anything changes.
  const keyAction = decideKey(opts, header, fromArchive);
  const build = readMigrations();
  const check = connect(opts.databaseUrl, { max: 1 });
  try {
    await checkSchema(check, header, build, opts);
    await checkIdle(check, opts);
  } finally {
    await check.end({ timeout: 5 });
  }

  // 3. Replace the database in one transaction.
  await replaceDatabase(opts, dataKey);

  // 4. The key, then the proof.
  let keyText: string | undefined;
  if (keyAction.kind === "install") installKey(keyAction, fromArchive!.text);
  if (keyAction.kind === "key-out") {
    if (keyAction.path === "-") keyText = fromArchive!.text;
    else writeKeyFile(keyAction.path, fromArchive!.text);
  }
  const effectiveKey = fromArchive?.text ?? (keyAction.kind === "same" ? opts.configured?.text : undefined);
  const sql = connect(opts.databaseUrl, { max: 2 });
  try {
    const restoredVersion = await schemaVersion(sql);
    const chain = await verifyAuditChain(sql).catch((err) => ({ error: errorMessage(err) }));
    const { credentials, unavailable } = await checkCredentials(sql, effectiveKey);
    if (restoredVersion < build.length) {
      opts.warn(
        `the restored database is at schema version ${restoredVersion}; this build is at ${build.length}: run \`migrate\` (the gateway does at start unless MIGRATE_ON_START=false)`,
      );
    }
    await recordAudit(sql, {
      action: "backup.restore",
      status: "ok",
      caller: opts.caller,
      target: { resourceType: "backup", resourceId: header.createdAt },
      details: {
        file: opts.input,
        backupCreatedAt: header.createdAt,
        backupHost: header.host,
        backupAppVersion: header.app.version,
        schemaVersion: restoredVersion,
        encrypted: header.encryption !== null,
        keyIncluded: header.key.included,
        keyId: fromArchive?.id ?? opts.configured?.id ?? null,
        keyAction: keyAction.kind,
        forced: opts.force,
        auditChain:
          "error" in chain
            ? { ok: false, error: chain.error }
            : { ok: chain.ok, checked: chain.checked, problem: chain.problem?.message ?? null },
        sealedValues: { total: credentials.total, opened: credentials.opened },
      },
    });
    return {
      header,
      restoredVersion,
      buildVersion: build.length,
      key: keyAction,
      keyText,
      chain,
      credentials,
      unavailableKeyVersions: unavailable,
    };
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function decideKey(
  opts: RestoreOptions,
  header: BackupHeader,
  fromArchive: { text: string; id: string } | undefined,
): KeyAction {
  const configured = opts.configured;
  if (fromArchive) {
    if (opts.keyOut) return { kind: "key-out", id: fromArchive.id, path: opts.keyOut };
    if (configured?.id === fromArchive.id) return { kind: "same", id: fromArchive.id };
    if (configured?.source === "env") {
      throw new BackupError(
        "key_conflict",
        `the backup's encryption key (id ${fromArchive.id}) differs from the configured ENCRYPTION_KEY (id ${configured.id}); ` +
          "re-run with --key-out FILE and point ENCRYPTION_KEY_FILE at FILE (nothing was changed)",
      );
    }
    return { kind: "install", id: fromArchive.id, path: join(opts.dataDir, KEY_FILE_NAME), previous: configured?.path };
  }
  const needed = header.keyring.kekIds;
  if (needed.length === 0 || (configured && needed.includes(configured.id)))
    return configured ? { kind: "same", id: configured.id } : { kind: "none" };
  const have = configured ? `the configured key has id ${configured.id}` : "no encryption key is configured";
  const message =
    `this backup does not contain the encryption key, and ${have}; the stored ND credentials in it are sealed under key id ${needed.join(", ")}. ` +
    "Configure that key (ENCRYPTION_KEY / ENCRYPTION_KEY_FILE, or DATA_DIR/encryption.key) and try again";
  if (!opts.force)
    throw new BackupError(
      "missing_key",
      `${message}, or use --force to restore without it (credentials must then be entered again). Nothing was changed`,
    );
  opts.warn(`${message}. Restoring anyway (--force): stored ND credentials will not open until they are entered again`);
  return { kind: "none" };
}

async function schemaVersion(sql: Sql): Promise<number> {
  const [row] = await sql<{ t: string | null }[]>`select to_regclass('schema_migrations')::text as t`;
  if (!row?.t) return 0;
  const [count] = await sql<{ n: number }[]>`select count(*)::int as n from schema_migrations`;
  return count!.n;
}

async function checkSchema(
  sql: Sql,
  header: BackupHeader,
  build: ReturnType<typeof readMigrations>,
  opts: RestoreOptions,
): Promise<void> {
  const target = await schemaVersion(sql);
  const problems: string[] = [];
  if (target > 0 && target !== header.schema.version)
    problems.push(`the database is at schema version ${target}, the backup at ${header.schema.version}`);
  if (header.schema.version > build.length)
    problems.push(
      `the backup (schema version ${header.schema.version}) is newer than this build (schema version ${build.length}); restore it with a build at least as new`,
    );
  for (const m of header.schema.migrations) {
    const file = build[m.version - 1];
    if (file && file.checksum !== m.checksum)
      problems.push(`migration ${file.file} differs between the backup and this build`);
  }
  if (problems.length === 0) return;
  const text = problems.join("; ");
  if (!opts.force)
    throw new BackupError("schema_mismatch", `${text}. Nothing was changed; --force replaces the database anyway`);
  opts.warn(`${text}; restoring anyway (--force)`);
}

async function checkIdle(sql: Sql, opts: RestoreOptions): Promise<void> {
  const [row] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity
     where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`;
  const others = row?.n ?? 0;
  if (others === 0) return;
  const text = `${others} other session(s) are connected to the database — is the gateway running? Stop it first (systemctl stop nexus-mcp)`;
  if (!opts.force) throw new BackupError("busy", `${text}. Nothing was changed; --force restores anyway`);
  opts.warn(`${text}; restoring anyway (--force): their transactions block the restore until they end`);
}

/**
 * Drops every object of schema public that the restoring role owns. Lists are taken one kind at a
 * time, after the previous kind is gone, and as text, so a CASCADE that already removed an object
 * only makes a later IF EXISTS a no-op. The schema itself stays (with its privileges and the
 * default privileges the appliance sets on it).
 */
const WIPE = `
DO $nmg_wipe$
DECLARE
  stmt text;
BEGIN
  FOR stmt IN
    SELECT format('DROP %s IF EXISTS public.%I CASCADE',
                  CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END, c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND c.relispartition = false
  LOOP EXECUTE stmt; END LOOP;
  FOR stmt IN
    SELECT format('DROP SEQUENCE IF EXISTS public.%I CASCADE', c.relname)
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind = 'S'
  LOOP EXECUTE stmt; END LOOP;
  FOR stmt IN
    SELECT format('DROP %s IF EXISTS %s CASCADE', CASE p.prokind WHEN 'a' THEN 'AGGREGATE' ELSE 'ROUTINE' END, p.oid::regprocedure::text)
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public'
  LOOP EXECUTE stmt; END LOOP;
  FOR stmt IN
    SELECT format('DROP %s IF EXISTS public.%I CASCADE', CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, t.typname)
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typcategory <> 'A'
       AND (t.typtype IN ('e', 'r', 'd') OR (t.typtype = 'c' AND (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c'))
  LOOP EXECUTE stmt; END LOOP;
END
$nmg_wipe$;
`;

async function replaceDatabase(opts: RestoreOptions, dataKey: Buffer | undefined): Promise<void> {
  const env = libpqEnv(opts.databaseUrl, opts.env);
  const psql = Bun.spawn(
    [pgTool("psql"), "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "-f", "-"],
    {
      env,
      stdin: "pipe",
      stdout: "ignore",
      stderr: "pipe",
    },
  );
  const psqlErr = collectStderr(psql.stderr);
  const restoreArgs = [
    pgTool("pg_restore"),
    "--no-owner",
    "--file=-",
    ...(opts.noPrivileges ? ["--no-privileges"] : []),
  ];
  const pgRestore = Bun.spawn(restoreArgs, { env, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  const restoreErr = collectStderr(pgRestore.stderr);
  let aborted = false;
  const abort = () => {
    if (aborted) return;
    aborted = true;
    // Killed before COMMIT was sent: the server rolls the transaction back.
    psql.kill("SIGKILL");
    pgRestore.kill("SIGKILL");
  };
  const toPsql = async (text: string | Uint8Array) => {
    psql.stdin.write(text);
    await psql.stdin.flush();
  };
  try {
    await toPsql("BEGIN;\nSET LOCAL lock_timeout = '60s';\n");
    await toPsql(WIPE);
    const feed = (async () => {
      await scanArchive(opts.input, dataKey, async (piece) => {
        pgRestore.stdin.write(piece);
        await pgRestore.stdin.flush();
      });
      await pgRestore.stdin.end();
    })();
    const pump = (async () => {
      for await (const piece of chunks(pgRestore.stdout)) await toPsql(piece);
    })();
    const [fed, pumped] = await Promise.allSettled([feed, pump]);
    const restoreCode = await pgRestore.exited;
    if (fed.status === "rejected") throw fed.reason;
    if (restoreCode !== 0) throw toolFailure("pg_restore", restoreCode, await restoreErr);
    if (pumped.status === "rejected") throw await psqlFailure(psql, psqlErr, pumped.reason);
    await toPsql("COMMIT;\n");
    psql.stdin.end();
  } catch (err) {
    abort();
    await psql.exited;
    throw err instanceof BackupError ? err : await psqlFailure(psql, psqlErr, err);
  }
  const code = await psql.exited;
  if (code !== 0) throw toolFailure("psql (the restore was rolled back; nothing was changed)", code, await psqlErr);
}

async function psqlFailure(
  psql: { exited: Promise<number> },
  stderr: Promise<string>,
  cause: unknown,
): Promise<BackupError> {
  const code = await psql.exited;
  const text = await stderr;
  if (text) return toolFailure("psql (the restore was rolled back; nothing was changed)", code, text);
  return new BackupError(
    "tool_failed",
    `restore failed (${errorMessage(cause)}); it was rolled back, nothing was changed`,
  );
}

function installKey(action: Extract<KeyAction, { kind: "install" }>, text: string): void {
  mkdirSync(join(action.path, ".."), { recursive: true, mode: 0o700 });
  if (existsSync(action.path)) {
    const kept = `${action.path}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    renameSync(action.path, kept);
    action.previous = kept;
  } else {
    action.previous = undefined;
  }
  writeKeyFile(action.path, text);
}

/** Opens every sealed value with the key now in place; names what does not open. */
async function checkCredentials(
  sql: Sql,
  keyText: string | undefined,
): Promise<{ credentials: CredentialCheck; unavailable: number[] }> {
  const credentials: CredentialCheck = { total: 0, opened: 0, failures: [] };
  const keyring = keyText ? new Keyring(masterKeyFrom(keyText, "the restored key")) : undefined;
  if (keyring) await syncKeyring(sql, keyring).catch(() => {});
  for (const column of SEALED_COLUMNS) {
    const rows = await sql<{ id: string; sealed: string; label: string }[]>`
      select ${sql(column.idColumn)}::text as id, ${sql(column.column)} as sealed, ${sql(column.labelColumn)}::text as label
        from ${sql(column.table)} where ${sql(column.column)} is not null`.catch(() => []);
    for (const row of rows) {
      credentials.total++;
      try {
        if (!keyring) throw new Error("no key");
        open(keyring, row.sealed, bindingFor(column, row.id));
        credentials.opened++;
      } catch {
        credentials.failures.push(`${column.describes} ${row.label}`);
      }
    }
  }
  return { credentials, unavailable: keyring?.unavailableVersions() ?? [] };
}

/** A failed attempt leaves a line in the (unchanged) database's audit log when it has one. */
async function auditFailure(opts: RestoreOptions, err: unknown): Promise<void> {
  let sql: Sql | undefined;
  try {
    sql = connect(opts.databaseUrl, { max: 1, connect_timeout: 5 });
    const [row] = await sql<{ t: string | null }[]>`select to_regclass('audit_events')::text as t`;
    if (!row?.t) return;
    await recordAudit(sql, {
      action: "backup.restore",
      status: "failed",
      caller: opts.caller,
      target: { resourceType: "backup" },
      error: errorMessage(err),
      details: { file: opts.input, problem: err instanceof BackupError ? err.problem : "error", forced: opts.force },
    });
  } catch {
    // the database may be unreachable; the error itself is what the operator sees
  } finally {
    await sql?.end({ timeout: 2 }).catch(() => {});
  }
}
