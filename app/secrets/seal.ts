/**
 * Sealing one secret value with the keyring's active data key (AES-256-GCM).
 *
 * Format: `nmg1.<key version>.<base64url(nonce ‖ ciphertext ‖ tag)>` — the key version is in the
 * clear so old values keep opening after a rotation.
 *
 * Guarantees: every value is bound to its owner — the associated data is (format, table, row id,
 * column, key version) — so a ciphertext copied to another row or column, or relabelled with
 * another version, fails authentication; a wrong key or altered value throws SecretUnavailable,
 * never returns garbage; plaintext never appears in an error.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import type { Keyring } from "./keyring.ts";
import { SecretUnavailable } from "./secret-errors.ts";

/** Whose secret this is. table/column come from sealed-columns.ts, never from input. */
export interface SealBinding {
  table: string;
  column: string;
  rowId: string;
}

const PREFIX = "nmg1";
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^nmg1\.([1-9][0-9]{0,8})\.([A-Za-z0-9_-]+)$/;

function associatedData(binding: SealBinding, version: number): Buffer {
  // JSON of an array is unambiguous: no choice of ids can make two bindings encode alike.
  return Buffer.from(JSON.stringify([PREFIX, binding.table, binding.rowId, binding.column, version]));
}

export function seal(keyring: Keyring, plaintext: string, binding: SealBinding): string {
  return sealWithVersion(keyring, keyring.activeVersion, plaintext, binding);
}

export function sealWithVersion(keyring: Keyring, version: number, plaintext: string, binding: SealBinding): string {
  return sealWithKey(keyring.dataKey(version), version, plaintext, binding);
}

/** For rotation: seal under a data key that is not committed (so not in the keyring) yet. */
export function sealWithKey(key: Buffer, version: number, plaintext: string, binding: SealBinding): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce).setAAD(associatedData(binding, version));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${PREFIX}.${version}.${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64url")}`;
}

/** The key version a sealed value names, or undefined when it is not a sealed value. */
export function sealedVersion(sealed: string): number | undefined {
  const m = SEALED.exec(sealed);
  return m ? Number(m[1]) : undefined;
}

export function open(keyring: Keyring, sealed: string, binding: SealBinding): string {
  const m = SEALED.exec(sealed);
  if (!m) throw new SecretUnavailable("malformed", undefined);
  const version = Number(m[1]);
  const raw = Buffer.from(m[2]!, "base64url");
  if (raw.length < NONCE_BYTES + TAG_BYTES) throw new SecretUnavailable("malformed", version);
  const key = keyring.dataKey(version);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES)).setAAD(
      associatedData(binding, version),
    );
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    return Buffer.concat([
      decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)),
      decipher.final(),
    ]).toString("utf8");
  } catch {
    throw new SecretUnavailable("tampered", version);
  }
}
