/**
 * Every database column that holds sealed values. Rotation re-seals exactly these; table and
 * column names are SQL identifiers, so they come only from this constant list, never from input.
 * A domain that stores a new kind of secret adds its column here (and seals with this binding).
 */
import type { SealBinding } from "./seal.ts";

export interface SealedColumn {
  table: string;
  /** Primary-key column; its value (as text) is the row id in the binding. */
  idColumn: string;
  column: string;
  /** What the secret is, for messages: "the stored credentials of cluster". */
  describes: string;
  /** Column naming the owner in messages (e.g. the cluster name). */
  labelColumn: string;
}

export const SEALED_COLUMNS = [
  {
    table: "clusters",
    idColumn: "id",
    column: "secret_sealed",
    describes: "the stored credentials of cluster",
    labelColumn: "name",
  },
  {
    table: "directories",
    idColumn: "id",
    column: "bind_password_sealed",
    describes: "the bind password of directory",
    labelColumn: "name",
  },
  {
    table: "siem_destinations",
    idColumn: "id",
    column: "token_sealed",
    describes: "the HEC token of SIEM destination",
    labelColumn: "name",
  },
] as const satisfies readonly SealedColumn[];

export type SealedColumnName = (typeof SEALED_COLUMNS)[number];

export function bindingFor(column: SealedColumn, rowId: string): SealBinding {
  return { table: column.table, column: column.column, rowId };
}

/** The registered column for a table/column pair; throws for anything not registered. */
export function sealedColumn(table: string, column: string): SealedColumn {
  const found = SEALED_COLUMNS.find((c) => c.table === table && c.column === column);
  if (!found) throw new Error(`${table}.${column} is not a registered sealed column`);
  return found;
}
