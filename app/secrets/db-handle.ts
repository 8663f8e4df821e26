// Query functions of secrets/ and clusters/ run on a pool or a transaction; defined once in app/db.ts.
export type { Db, Sql, TransactionSql } from "../db.ts";
