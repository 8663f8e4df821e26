/**
 * `backup`: the database as one pg_dump (custom format, one consistent snapshot; the gateway
 * keeps running) in an archive (backup-archive.ts), plus — only when a passphrase is given —
 * the key-encryption key, so the archive alone restores everything including the stored ND
 * credentials.
 *
 * How the key is protected: the data keys that seal credentials are in the database already,
 * wrapped by the key-encryption key (app/secrets/keyring.ts); that key lives outside the database
 * (ENCRYPTION_KEY[_FILE] or DATA_DIR/encryption.key). With a passphrase the whole archive — dump
 * and key — is encrypted and authenticated under a scrypt-derived key; without one the archive
 * holds the dump only (password and token hashes, sealed credentials, the audit log) and never
 * the key, and the caller is told to keep the key safe separately: a backup without its key
 * restores everything except the stored ND credentials.
 *
 * Guarantees: the archive is written to a private temporary file (0600) next to the target and
 * renamed into place only when complete, so a file with the final name is always a whole backup;
 * neither the passphrase, the key nor DATABASE_URL is ever printed or logged.
 */
import { requirePermission } from "../identity/authorize.ts";
import type { Caller } from "../identity/caller.ts";
import { randomBytes } from "node:crypto";
import { createWriteStream, renameSync, rmSync, type WriteStream } from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import type { Sql } from "postgres";
import { ArchiveWriter, newEncryption, type BackupHeader, type EndInfo } from "./backup-archive.ts";
import { BackupError } from "./backup-error.ts";
import type { ConfiguredKey } from "./backup-key.ts";
import { chunks, collectStderr, libpqEnv, pgTool, toolFailure, toolVersion } from "./pg-tools.ts";

export interface BackupOptions {
  databaseUrl: string;
  /** The caller's environment (PGUSER and the like are inherited by pg_dump). */
  env: Record<string, string | undefined>;
  /** A file path, or "-" for standard output. */
  out: string;
  /** Encrypts the archive and includes the key; without it the key is left out. */
  passphrase?: string;
  key: ConfiguredKey | undefined;
  appVersion: string;
  warn(message: string): void;
}

export interface BackupResult {
  header: BackupHeader;
  end: EndInfo;
  path: string;
}

export async function createBackup(sql: Sql, caller: Caller, opts: BackupOptions): Promise<BackupResult> {
  requirePermission(caller.principal, "settings:manage");
  const pgDump = pgTool("pg_dump");
  const encryption = opts.passphrase !== undefined ? await newEncryption(opts.passphrase) : undefined;
  const header = await describeDatabase(sql, opts, await toolVersion(pgDump), encryption?.info ?? null);
  warnAboutKey(header, opts);

  const target = opts.out === "-" ? undefined : opts.out;
  const temp = target
    ? join(dirname(target), `.${basename(target)}.${randomBytes(6).toString("hex")}.partial`)
    : undefined;
  const stream: WriteStream = temp
    ? createWriteStream(temp, { flags: "wx", mode: 0o600 })
    : createWriteStream("", { fd: 1, autoClose: false });
  try {
    const writer = await ArchiveWriter.start(stream, header, encryption?.key);
    if (header.key.included && opts.key) await writer.writeKey(opts.key.text);
    await dumpInto(writer, pgDump, libpqEnv(opts.databaseUrl, opts.env));
    const end = await writer.finish();
    if (temp && target) renameSync(temp, target);
    return { header, end, path: target ?? "-" };
  } catch (err) {
    stream.destroy();
    if (temp) rmSync(temp, { force: true });
    throw err;
  }
}

async function dumpInto(writer: ArchiveWriter, pgDump: string, env: Record<string, string>): Promise<void> {
  // --no-password: never prompt; the lock wait bounds how long a stuck DDL can hold us up.
  const child = Bun.spawn([pgDump, "--format=custom", "--no-password", "--lock-wait-timeout=60000"], {
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const stderr = collectStderr(child.stderr);
  try {
    for await (const piece of chunks(child.stdout)) await writer.writeDump(piece);
  } catch (err) {
    child.kill();
    throw err;
  }
  const code = await child.exited;
  if (code !== 0) throw toolFailure("pg_dump", code, await stderr);
}

async function describeDatabase(
  sql: Sql,
  opts: BackupOptions,
  pgDump: string,
  encryption: BackupHeader["encryption"],
): Promise<BackupHeader> {
  const [where] = await sql<{ db: string; migrations: string | null; keys: string | null }[]>`
    select current_database() as db, to_regclass('schema_migrations')::text as migrations, to_regclass('secret_keys')::text as keys`;
  if (!where?.migrations)
    throw new BackupError(
      "unsupported",
      "the database has no schema (no migrations applied); there is nothing to back up",
    );
  const migrations = await sql<{ version: number; name: string; checksum: string }[]>`
    select version, name, checksum from schema_migrations order by version`;
  const keyring = where.keys
    ? await sql<{ kekIds: string[] | null; active: number | null }[]>`
        select array_agg(distinct kek_id) as "kekIds", max(version) as active from secret_keys`
    : [];
  const includeKey = encryption !== null && opts.key !== undefined;
  return {
    format: 1,
    createdAt: new Date().toISOString(),
    app: { name: "nexus-mcp-gateway", version: opts.appVersion },
    host: hostname(),
    database: where.db,
    pgDump,
    schema: {
      version: migrations.length,
      migrations: migrations.map((m) => ({ version: m.version, name: m.name, checksum: m.checksum })),
    },
    keyring: { kekIds: keyring[0]?.kekIds ?? [], activeVersion: keyring[0]?.active ?? 0 },
    key: { included: includeKey, id: includeKey ? opts.key!.id : null },
    encryption,
  };
}

function warnAboutKey(header: BackupHeader, opts: BackupOptions): void {
  const needed = header.keyring.kekIds;
  if (opts.key && needed.length > 0 && !needed.includes(opts.key.id)) {
    opts.warn(
      `the configured encryption key (id ${opts.key.id}) is not the one the database's data keys are wrapped with (${needed.join(", ")}); ` +
        "the stored ND credentials in this backup can only be opened with that other key",
    );
  }
  if (header.encryption === null) {
    opts.warn(
      `this backup does NOT contain the encryption key${needed.length ? ` (key id ${needed.join(", ")})` : ""}: keep ` +
        `${opts.key ? (opts.key.source === "env" ? "ENCRYPTION_KEY" : opts.key.path) : "the encryption key"} safe together with it, ` +
        "or the stored ND credentials cannot be opened after a restore. Use --passphrase-file to include the key, encrypted",
    );
  } else if (!opts.key) {
    opts.warn("no encryption key is configured (none in ENCRYPTION_KEY or DATA_DIR), so the backup carries none");
  }
}
