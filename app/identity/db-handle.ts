// A pool or a transaction: the identity query functions (`*.sql.ts`) run on either. Domain
// functions that write several rows take the pool (`Sql`) and own the transaction.
import type { Sql, TransactionSql } from "postgres";

export type { Sql, TransactionSql };
export type Db = Sql | TransactionSql;

/** PostgreSQL's unique_violation, optionally on one named constraint or index. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint_name?: string };
  return e?.code === "23505" && (constraint === undefined || e.constraint_name === constraint);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids from outside (URLs, CLI arguments) are checked before they reach a uuid column. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
