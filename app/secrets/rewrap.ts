/**
 * `keys rewrap`: replace the key-encryption key (ENCRYPTION_KEY or DATA_DIR/encryption.key),
 * e.g. after it may have leaked. Data keys and sealed values stay as they are; only the
 * wrapping of each data key in `secret_keys` changes.
 *
 * Guarantees: one transaction under the exclusive keyring lock; refused unless the current key
 * opens every data key version (otherwise some would be lost); audited (`keys.rewrap`) with key
 * ids only. Afterwards every node must be given the new key before it restarts — a node started
 * with the old key sees every version as unavailable and says so.
 */
import { recordAudit } from "../audit/audit-log.ts";
import { requirePermission } from "../identity/authorize.ts";
import type { Caller } from "../identity/caller.ts";
import type { Sql } from "./db-handle.ts";
import { syncKeyring, type Keyring } from "./keyring.ts";
import { lockKeyringExclusive, updateWrappedKey } from "./keyring.sql.ts";
import type { MasterKey } from "./master-key.ts";
import { SecretUnavailable } from "./secret-errors.ts";
import { Invalid } from "../errors.ts";

export interface RewrapResult {
  versions: number[];
  fromKeyId: string;
  toKeyId: string;
}

export async function rewrapKeys(sql: Sql, caller: Caller, keyring: Keyring, next: MasterKey): Promise<RewrapResult> {
  requirePermission(caller.principal, "settings:manage");
  if (next.id === keyring.kekId) throw new Invalid("the new key is the key already in use");
  const result = await sql.begin(async (tx) => {
    await lockKeyringExclusive(tx);
    await syncKeyring(tx, keyring);
    const unavailable = keyring.unavailableVersions();
    if (unavailable.length > 0) throw new SecretUnavailable("key_mismatch", unavailable[0]);
    const versions = keyring.describe().versions.map((v) => v.version);
    for (const version of versions) await updateWrappedKey(tx, keyring.rewrapped(version, next));
    const result: RewrapResult = { versions, fromKeyId: keyring.kekId, toKeyId: next.id };
    await recordAudit(tx, {
      action: "keys.rewrap",
      status: "ok",
      caller,
      target: { resourceType: "keyring", resourceId: next.id },
      details: { versions, fromKeyId: result.fromKeyId, toKeyId: result.toKeyId },
    });
    return result;
  });
  keyring.replaceMaster(next);
  return result;
}
