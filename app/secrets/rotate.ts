/**
 * `keys rotate`: add a data key and re-seal every stored secret under it.
 *
 * Guarantees: one transaction holding the keyring lock exclusively — either every sealed value
 * (every column in sealed-columns.ts) is re-sealed under the new version and the new key is
 * committed, or nothing changes; writers that seal concurrently wait for it (prepareToSeal), so
 * no value under the old key can slip in afterwards. If any value cannot be opened, rotation
 * aborts with that value's owner named; a key-encryption key that cannot open every existing key
 * version refuses to rotate at all. The audit row (`keys.rotate`) is written in the same
 * transaction and carries version numbers and counts only, never key material.
 */
import type { Db, Sql } from "./db-handle.ts";
import { recordAudit } from "../audit/audit-log.ts";
import { errorMessage } from "../errors.ts";
import { requirePermission } from "../identity/authorize.ts";
import { callerName, type Caller } from "../identity/caller.ts";
import { syncKeyring, type Keyring } from "./keyring.ts";
import { insertWrappedKey, lockKeyringExclusive, maxKeyVersion } from "./keyring.sql.ts";
import { open, sealWithKey } from "./seal.ts";
import { SEALED_COLUMNS, bindingFor, type SealedColumn } from "./sealed-columns.ts";
import { SecretUnavailable } from "./secret-errors.ts";

export interface RotationResult {
  fromVersion: number;
  toVersion: number;
  /** Re-sealed values per "table.column". */
  resealed: Record<string, number>;
}

export async function rotateKeys(sql: Sql, caller: Caller, keyring: Keyring): Promise<RotationResult> {
  requirePermission(caller.principal, "settings:manage");
  try {
    const { result, key } = await sql.begin(async (tx) => {
      await lockKeyringExclusive(tx);
      await syncKeyring(tx, keyring);
      // A key that does not open every existing version would add a version nobody else can open.
      const unavailable = keyring.unavailableVersions();
      if (unavailable.length > 0) throw new SecretUnavailable("key_mismatch", unavailable[0]);
      const fromVersion = keyring.activeVersion;
      const toVersion = (await maxKeyVersion(tx)) + 1;
      const fresh = keyring.createDataKey(toVersion);
      await insertWrappedKey(tx, fresh.row, callerName(caller));
      const resealed: Record<string, number> = {};
      for (const column of SEALED_COLUMNS) {
        resealed[`${column.table}.${column.column}`] = await resealColumn(tx, keyring, column, fresh.key, toVersion);
      }
      const result: RotationResult = { fromVersion, toVersion, resealed };
      await recordAudit(tx, rotationEvent(caller, "ok", result));
      return { result, key: fresh.key };
    });
    keyring.adoptNew(result.toVersion, key);
    return result;
  } catch (err) {
    await recordAudit(sql, { ...rotationEvent(caller, "failed"), error: errorMessage(err) });
    throw err;
  }
}

interface SealedRow {
  id: string;
  label: string | null;
  sealed: string;
}

async function resealColumn(
  tx: Db,
  keyring: Keyring,
  column: SealedColumn,
  key: Buffer,
  version: number,
): Promise<number> {
  // Identifiers come from SEALED_COLUMNS (a constant); every value is a bind parameter.
  const rows = await tx<SealedRow[]>`
    select ${tx(column.idColumn)}::text as id, ${tx(column.labelColumn)}::text as label, ${tx(column.column)} as sealed
    from ${tx(column.table)}
    where ${tx(column.column)} is not null
    for update`;
  for (const row of rows) {
    const binding = bindingFor(column, row.id);
    let plaintext: string;
    try {
      plaintext = open(keyring, row.sealed, binding);
    } catch (err) {
      if (err instanceof SecretUnavailable) throw err.about(`cannot open ${column.describes} ${row.label ?? row.id}`);
      throw err;
    }
    const resealed = sealWithKey(key, version, plaintext, binding);
    await tx`update ${tx(column.table)} set ${tx(column.column)} = ${resealed} where ${tx(column.idColumn)} = ${row.id}`;
  }
  return rows.length;
}

function resealedCounts(result: RotationResult): { table: string; column: string; count: number }[] {
  return Object.entries(result.resealed).map(([name, count]) => {
    const [table = name, column = ""] = name.split(".");
    return { table, column, count };
  });
}

function rotationEvent(caller: Caller, status: "ok" | "failed", result?: RotationResult) {
  return {
    action: "keys.rotate",
    status,
    caller,
    target: { resourceType: "keyring", resourceId: result ? String(result.toVersion) : null },
    // Counts per table only; keys avoid words ("secret", "token") the audit redactor hides.
    details: result
      ? { fromVersion: result.fromVersion, toVersion: result.toVersion, resealed: resealedCounts(result) }
      : {},
  } as const;
}
