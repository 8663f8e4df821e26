/**
 * The key-encryption key (KEK): the one secret outside the database that opens every stored
 * credential. It comes from ENCRYPTION_KEY (or ENCRYPTION_KEY_FILE, resolved by config) or, when
 * that is unset, from DATA_DIR/encryption.key, generated on first start.
 *
 * Guarantees: the key is exactly 32 random bytes (base64 or base64url text); a generated file is
 * created exclusively (two processes starting at once agree on one key) with mode 0600; the key
 * itself is never logged or returned in messages, only its id (an HMAC of a constant under the
 * key, which reveals nothing about it).
 */
import { createHmac, randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { Invalid } from "../errors.ts";

export const KEY_FILE_NAME = "encryption.key";
export const KEY_BYTES = 32;

export interface MasterKey {
  key: Buffer;
  /** 16 hex digits naming this key in the database and in error messages. */
  id: string;
  source: "env" | "file";
  /** Where a file-based key lives (absent for ENCRYPTION_KEY). */
  path?: string;
  /** True when this call created the key file: nothing else has a copy yet. */
  generated: boolean;
  /** Problems worth telling the operator about (loose file permissions). */
  warnings: string[];
}

export function keyId(key: Buffer): string {
  return createHmac("sha256", key).update("nmg key id v1").digest("hex").slice(0, 16);
}

/** Parses base64/base64url text of exactly 32 bytes; `what` names the source in the message. */
export function parseKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed))
    throw new Invalid(`${what} is not base64; generate one with: openssl rand -base64 32`);
  const key = Buffer.from(trimmed.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  if (key.length !== KEY_BYTES)
    throw new Invalid(
      `${what} decodes to ${key.length} bytes, expected ${KEY_BYTES}; generate one with: openssl rand -base64 32`,
    );
  if (key.every((b) => b === key[0]))
    throw new Invalid(
      `${what} is a constant byte pattern, not a random key; generate one with: openssl rand -base64 32`,
    );
  return key;
}

export function loadMasterKey(opts: { dataDir: string; encryptionKey?: string }): MasterKey {
  if (opts.encryptionKey !== undefined && opts.encryptionKey !== "") {
    const key = parseKey(opts.encryptionKey, "ENCRYPTION_KEY");
    return { key, id: keyId(key), source: "env", generated: false, warnings: [] };
  }
  return fromFile(join(opts.dataDir, KEY_FILE_NAME), opts.dataDir);
}

function fromFile(path: string, dataDir: string): MasterKey {
  const created = createIfMissing(path, dataDir);
  const key = parseKey(readFileSync(path, "utf8"), path);
  const warnings: string[] = [];
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    // Tighten rather than refuse: the file is ours, and a loose mode is most likely a copy/restore.
    try {
      chmodSync(path, 0o600);
      warnings.push(`${path} was readable by other users (mode ${mode.toString(8)}); changed to 0600`);
    } catch {
      warnings.push(`${path} is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`);
    }
  }
  return { key, id: keyId(key), source: "file", path, generated: created, warnings };
}

/**
 * Written to a private temporary file, then hard-linked into place: link() fails if the name
 * exists, so creation is exclusive and nobody can ever read a half-written key.
 */
function createIfMissing(path: string, dataDir: string): boolean {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (existsSync(path)) return false;
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `${randomBytes(KEY_BYTES).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  try {
    linkSync(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    rmSync(temp, { force: true });
  }
}

/** A key given as text (a key file's content), as the keyring uses it. */
export function masterKeyFrom(text: string, what: string): MasterKey {
  const key = parseKey(text, what);
  return { key, id: keyId(key), source: "env", generated: false, warnings: [] };
}

/** Replaces DATA_DIR/encryption.key (after a rewrap): written privately, renamed into place. */
export function replaceKeyFile(path: string, key: Buffer): void {
  const temp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  writeFileSync(temp, `${key.toString("base64")}\n`, { mode: 0o600, flag: "wx" });
  renameSync(temp, path);
}

/** What the operator must be told, once, when the key was generated. */
export function generatedKeyWarning(path: string): string {
  return (
    `generated a new encryption key at ${path}: it opens every stored ND credential. ` +
    `Back it up together with the database (a database backup is useless without it), ` +
    `or set ENCRYPTION_KEY / ENCRYPTION_KEY_FILE to this value and keep it in your secret store.`
  );
}
