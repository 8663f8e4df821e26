/** Queries of the keyring's wrapped data keys (table secret_keys). */
import type { Db } from "./db-handle.ts";

export interface WrappedKeyRow {
  version: number;
  wrapped: string;
  kekId: string;
}

/** Arbitrary constant naming the keyring lock ("nmg-keyring" as digits). */
const KEYRING_LOCK = 7_463_002;

export async function selectWrappedKeys(db: Db, afterVersion: number): Promise<WrappedKeyRow[]> {
  return db<WrappedKeyRow[]>`
    select version, wrapped, kek_id as "kekId"
    from secret_keys
    where version > ${afterVersion}
    order by version`;
}

export async function insertWrappedKey(db: Db, row: WrappedKeyRow, createdBy: string | null): Promise<boolean> {
  const inserted = await db`
    insert into secret_keys (version, wrapped, kek_id, created_by)
    values (${row.version}, ${row.wrapped}, ${row.kekId}, ${createdBy})
    on conflict (version) do nothing
    returning version`;
  return inserted.length === 1;
}

export async function maxKeyVersion(db: Db): Promise<number> {
  const [row] = await db<{ max: number | null }[]>`select max(version) as max from secret_keys`;
  return row?.max ?? 0;
}

/**
 * Rotation holds this exclusively; every transaction that seals a new value holds it shared, so
 * a value sealed under the old key can never be committed after rotation re-sealed the table.
 */
export async function lockKeyringExclusive(tx: Db): Promise<void> {
  await tx`select pg_advisory_xact_lock(${KEYRING_LOCK})`;
}

export async function lockKeyringShared(tx: Db): Promise<void> {
  await tx`select pg_advisory_xact_lock_shared(${KEYRING_LOCK})`;
}

export async function updateWrappedKey(db: Db, row: WrappedKeyRow): Promise<void> {
  await db`update secret_keys set wrapped = ${row.wrapped}, kek_id = ${row.kekId} where version = ${row.version}`;
}
