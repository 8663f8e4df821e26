/**
 * The key-encryption key as backup and restore see it: read, never generated (a backup must not
 * invent a key the database was never sealed with), and installed after a restore.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { KEY_FILE_NAME, keyId, masterKeyFrom, parseKey, replaceKeyFile } from "../secrets/master-key.ts";
import { BackupError } from "./backup-error.ts";

export interface ConfiguredKey {
  /** base64 text of the 32-byte key */
  text: string;
  id: string;
  /** "env": ENCRYPTION_KEY or ENCRYPTION_KEY_FILE; "file": DATA_DIR/encryption.key */
  source: "env" | "file";
  path?: string;
}

/** The key this configuration uses, or undefined when there is none yet (no generation). */
export function configuredKey(opts: { dataDir: string; encryptionKey?: string }): ConfiguredKey | undefined {
  if (opts.encryptionKey) {
    const key = parseKey(opts.encryptionKey, "ENCRYPTION_KEY");
    return { text: key.toString("base64"), id: keyId(key), source: "env" };
  }
  const path = join(opts.dataDir, KEY_FILE_NAME);
  if (!existsSync(path)) return undefined;
  const key = parseKey(readFileSync(path, "utf8"), path);
  return { text: key.toString("base64"), id: keyId(key), source: "file", path };
}

/** The key carried by an archive, checked against the id its header names. */
export function archiveKey(text: string, expectedId: string | null): { text: string; id: string } {
  let id: string;
  try {
    id = masterKeyFrom(text, "the key in the backup").id;
  } catch {
    throw new BackupError("corrupt", "the key stored in the backup is not a valid key");
  }
  if (expectedId && id !== expectedId)
    throw new BackupError("corrupt", "the key stored in the backup does not match the key id in its header");
  return { text: text.trim(), id };
}

/** Writes a key to FILE (0600, replaced atomically). */
export function writeKeyFile(path: string, text: string): void {
  replaceKeyFile(path, Buffer.from(text, "base64"));
}

export { KEY_FILE_NAME };
