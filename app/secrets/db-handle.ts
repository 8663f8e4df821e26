// A pool or a transaction: query functions of secrets/ and clusters/ run on either. Domain
// functions that write several rows take the pool (`Sql`) and own the transaction.
import type { Sql, TransactionSql } from "postgres";

export type { Sql, TransactionSql };
export type Db = Sql | TransactionSql;
