// The identity query functions run on a pool or a transaction; the type and helpers are defined
// once, in app/db.ts, and re-exported here for the identity files that import them.
export type { Db, Sql, TransactionSql } from "../db.ts";
export { isUniqueViolation, isUuid } from "../db.ts";
