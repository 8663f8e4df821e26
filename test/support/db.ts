/**
 * A fresh, migrated database per caller, cloned from the template that `bun run test` migrated.
 * Requires the run to go through `bun run test` (which starts PostgreSQL).
 */
import type { Sql } from "postgres";
import { connect } from "../../app/db.ts";

export interface TestDatabase {
  sql: Sql;
  url: string;
  name: string;
  close(): Promise<void>;
}

export function testPgUrl(database = "postgres"): string {
  const base = process.env.NMG_TEST_PG_URL;
  if (!base) throw new Error("no test PostgreSQL: run the suite with `bun run test`");
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

let counter = 0;

export async function freshDatabase(opts: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const admin = connect(testPgUrl(), { max: 1 });
  try {
    if (opts.migrated === false) await admin`create database ${admin(name)}`;
    else
      await admin`create database ${admin(name)} template ${admin(process.env.NMG_TEST_PG_TEMPLATE ?? "nmg_template")}`;
  } finally {
    await admin.end();
  }
  const url = testPgUrl(name);
  const sql = connect(url, { max: 10 });
  return {
    sql,
    url,
    name,
    async close() {
      await sql.end({ timeout: 2 });
      const drop = connect(testPgUrl(), { max: 1 });
      await drop`drop database if exists ${drop(name)} with (force)`;
      await drop.end();
    },
  };
}
