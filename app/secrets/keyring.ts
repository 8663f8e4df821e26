/**
 * The keyring: versioned AES-256-GCM data keys that seal stored credentials (seal.ts).
 *
 * Design — envelope encryption, keys wrapped in the database:
 *   - The key-encryption key (KEK, master-key.ts) lives outside the database: ENCRYPTION_KEY, or
 *     DATA_DIR/encryption.key generated on first start. It only ever wraps data keys.
 *   - Data keys are random 32-byte keys, each stored in `secret_keys` wrapped by the KEK
 *     (AES-256-GCM, associated data = format + version, so a wrapped key cannot be moved to
 *     another version). The highest version is active; older versions keep opening old values.
 *   - Why wrapped keys in the database rather than a keyring file: rotation adds a key and
 *     re-seals every secret in ONE transaction (no file/database split-brain after a crash),
 *     every node behind a load balancer sees the same keyring, and a database backup always
 *     carries exactly the data keys its ciphertexts need. The only thing to back up separately
 *     is the KEK, and it never changes on rotation — so rotation needs no new ENCRYPTION_KEY.
 *   - Replacing the KEK itself (say it leaked) is a separate step, `keys rewrap` (rewrap.ts):
 *     every data key is re-wrapped under the new KEK; sealed values are untouched.
 *   - A KEK that does not match (wrong ENCRYPTION_KEY, lost data directory) never yields garbage:
 *     the key's id differs or GCM authentication fails, the version is marked unavailable, and
 *     every open of a value under it fails with SecretUnavailable("key_mismatch").
 *
 * Guarantees: key material stays in this object (never logged, never returned by describe());
 * a value sealed under a version this node has not seen yet is handled by syncKeyring(), which
 * rotation on another node makes necessary.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Db, Sql } from "./db-handle.ts";
import { generatedKeyWarning, loadMasterKey, type MasterKey } from "./master-key.ts";
import {
  insertWrappedKey,
  lockKeyringExclusive,
  lockKeyringShared,
  maxKeyVersion,
  selectWrappedKeys,
  type WrappedKeyRow,
} from "./keyring.sql.ts";
import { SecretUnavailable } from "./secret-errors.ts";

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

export interface KeyringSummary {
  activeVersion: number;
  versions: { version: number; available: boolean; kekId: string }[];
  kekId: string;
  kekSource: "env" | "file";
  kekPath?: string;
}

export class Keyring {
  #master: MasterKey;
  readonly #keys = new Map<number, Buffer>();
  readonly #unavailable = new Map<number, string>();
  #active = 0;

  constructor(master: MasterKey) {
    this.#master = master;
  }

  get activeVersion(): number {
    return this.#active;
  }

  get kekId(): string {
    return this.#master.id;
  }

  /** Highest version this node has seen (available or not). */
  get knownVersion(): number {
    return Math.max(0, ...this.#keys.keys(), ...this.#unavailable.keys());
  }

  has(version: number): boolean {
    return this.#keys.has(version) || this.#unavailable.has(version);
  }

  /** The data key of a version, for seal.ts and rotate.ts only. */
  dataKey(version: number): Buffer {
    const key = this.#keys.get(version);
    if (key) return key;
    if (this.#unavailable.has(version)) throw new SecretUnavailable("key_mismatch", version);
    throw new SecretUnavailable("unknown_version", version);
  }

  /** Takes in a wrapped key row; a KEK mismatch marks the version unavailable instead of failing. */
  adoptWrapped(row: WrappedKeyRow): void {
    const key = row.kekId === this.#master.id ? unwrapDataKey(this.#master.key, row) : undefined;
    if (key) this.#keys.set(row.version, key);
    else this.#unavailable.set(row.version, row.kekId);
    this.#active = Math.max(this.#active, row.version);
  }

  /** Adds a key created on this node (rotation, first start) after its row is committed. */
  adoptNew(version: number, key: Buffer): void {
    this.#keys.set(version, key);
    this.#active = Math.max(this.#active, version);
  }

  /** The same data key wrapped under another key-encryption key (rewrap.ts). */
  rewrapped(version: number, master: MasterKey): WrappedKeyRow {
    return { version, wrapped: wrapDataKey(master.key, version, this.dataKey(version)), kekId: master.id };
  }

  /** After a committed rewrap: new data keys are wrapped under the new key-encryption key. */
  replaceMaster(master: MasterKey): void {
    this.#master = master;
  }

  /** A new data key wrapped for `version`, not yet part of the keyring. */
  createDataKey(version: number): { key: Buffer; row: WrappedKeyRow } {
    const key = randomBytes(DATA_KEY_BYTES);
    return { key, row: { version, wrapped: wrapDataKey(this.#master.key, version, key), kekId: this.#master.id } };
  }

  unavailableVersions(): number[] {
    return [...this.#unavailable.keys()].sort((a, b) => a - b);
  }

  describe(): KeyringSummary {
    const versions = [
      ...[...this.#keys.keys()].map((version) => ({ version, available: true, kekId: this.#master.id })),
      ...[...this.#unavailable].map(([version, kekId]) => ({ version, available: false, kekId })),
    ].sort((a, b) => a.version - b.version);
    return {
      activeVersion: this.#active,
      versions,
      kekId: this.#master.id,
      kekSource: this.#master.source,
      kekPath: this.#master.path,
    };
  }
}

function wrapAad(version: number): Buffer {
  return Buffer.from(`nmg-keyring-v1:${version}`);
}

function wrapDataKey(kek: Buffer, version: number, key: Buffer): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", kek, nonce).setAAD(wrapAad(version));
  const body = Buffer.concat([cipher.update(key), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64");
}

function unwrapDataKey(kek: Buffer, row: WrappedKeyRow): Buffer | undefined {
  const raw = Buffer.from(row.wrapped, "base64");
  if (raw.length !== NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv("aes-256-gcm", kek, raw.subarray(0, NONCE_BYTES)).setAAD(wrapAad(row.version));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
  } catch {
    return undefined;
  }
}

/** Adopts versions added since this node last looked (e.g. a rotation run by the CLI). */
export async function syncKeyring(db: Db, keyring: Keyring): Promise<void> {
  for (const row of await selectWrappedKeys(db, keyring.knownVersion)) keyring.adoptWrapped(row);
}

/**
 * Call inside a transaction that is about to seal: holds the keyring lock shared (rotation
 * waits for this transaction, and this one waits for a running rotation) and picks up a key
 * version another node may have added, so the value is sealed under the active key.
 */
export async function prepareToSeal(tx: Db, keyring: Keyring): Promise<void> {
  await lockKeyringShared(tx);
  await syncKeyring(tx, keyring);
}

export interface LoadKeyringOptions {
  sql: Sql;
  dataDir: string;
  /** ENCRYPTION_KEY as configured (base64, 32 bytes); unset = DATA_DIR/encryption.key. */
  encryptionKey?: string;
  /** Operator-facing warnings (generated key, loose permissions, unusable key versions). */
  warn?: (message: string) => void;
  actor?: string;
}

export interface LoadedKeyring {
  keyring: Keyring;
  /** True when the key-encryption key was generated by this call. */
  generated: boolean;
  /** Key versions that cannot be opened with the configured key (empty when all is well). */
  unavailableVersions: number[];
}

/** Loads the KEK and the data keys; on a fresh database creates data key version 1. */
export async function loadKeyring(opts: LoadKeyringOptions): Promise<LoadedKeyring> {
  const warn = opts.warn ?? (() => {});
  const master = loadMasterKey({ dataDir: opts.dataDir, encryptionKey: opts.encryptionKey });
  if (master.generated && master.path) warn(generatedKeyWarning(master.path));
  for (const w of master.warnings) warn(w);
  const keyring = new Keyring(master);
  await syncKeyring(opts.sql, keyring);
  if (keyring.knownVersion === 0) await createFirstKey(opts.sql, keyring, opts.actor ?? "system");
  const unavailableVersions = keyring.unavailableVersions();
  if (unavailableVersions.length > 0) warn(mismatchWarning(keyring, master, unavailableVersions));
  return { keyring, generated: master.generated, unavailableVersions };
}

async function createFirstKey(sql: Sql, keyring: Keyring, actor: string): Promise<void> {
  const created = await sql.begin(async (tx) => {
    await lockKeyringExclusive(tx);
    if ((await maxKeyVersion(tx)) > 0) return undefined; // another node got there first
    const fresh = keyring.createDataKey(1);
    await insertWrappedKey(tx, fresh.row, actor);
    return fresh.key;
  });
  if (created) keyring.adoptNew(1, created);
  else await syncKeyring(sql, keyring);
}

function mismatchWarning(keyring: Keyring, master: MasterKey, versions: number[]): string {
  const source = master.source === "env" ? "ENCRYPTION_KEY" : master.path;
  const wrappedBy = [
    ...new Set(
      keyring
        .describe()
        .versions.filter((v) => !v.available)
        .map((v) => v.kekId),
    ),
  ].join(", ");
  return (
    `the encryption key (${source}, id ${master.id}) does not open key version(s) ${versions.join(", ")} ` +
    `(wrapped by key id ${wrappedBy}); stored credentials sealed with them cannot be used — ` +
    `restore ENCRYPTION_KEY (or DATA_DIR/encryption.key) from the backup that matches this database`
  );
}
