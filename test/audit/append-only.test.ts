// The database itself refuses to change or remove audit events (the trigger layer).
import { afterAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { freshDatabase } from "../support/db.ts";
import { event } from "./helpers.ts";

const db = await freshDatabase();
afterAll(() => db.close());

const { id } = await recordAudit(db.sql, event(1));
const unsealed = (await recordAudit(db.sql, event(2))).id;
await sealPending(db.sql);
const stillUnsealed = (await recordAudit(db.sql, event(3))).id;

async function rejected(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error("the statement was accepted");
}

test("UPDATE of an event is rejected", async () => {
  expect(await rejected(() => db.sql`update audit_events set status = 'failed' where id = ${id}`)).toMatch(
    /append-only: UPDATE/,
  );
  expect(await rejected(() => db.sql`update audit_events set hash = repeat('a', 64) where id = ${id}`)).toMatch(
    /append-only: UPDATE/,
  );
});

test("DELETE and TRUNCATE are rejected", async () => {
  expect(await rejected(() => db.sql`delete from audit_events where id = ${id}`)).toMatch(/append-only: DELETE/);
  expect(await rejected(() => db.sql`delete from audit_events where id = ${unsealed}`)).toMatch(/append-only: DELETE/);
  expect(await rejected(() => db.sql`truncate audit_events`)).toMatch(/cannot be truncated/);
  expect(await rejected(() => db.sql`truncate audit_chain_head`)).toMatch(/cannot be truncated/);
});

test("sealing by hand may not change content on the way", async () => {
  const message = await rejected(
    () =>
      db.sql`update audit_events set seq = 99, prev_hash = repeat('0', 64), hash = repeat('1', 64), action = 'forged' where id = ${stillUnsealed}`,
  );
  expect(message).toMatch(/append-only: UPDATE/);
});

test("an insert cannot choose its time, arrive sealed, or pose as a checkpoint", async () => {
  const [row] = await db.sql<{ id: string; seq: string | null; hash: string | null; year: number }[]>`
    insert into audit_events (action, status, occurred_at, seq, prev_hash, hash)
    values ('x.y', 'ok', '2001-01-01', 5, repeat('0', 64), repeat('1', 64))
    returning id, seq, hash, extract(year from occurred_at)::int as year`;
  expect(row).toMatchObject({ seq: null, hash: null });
  expect(row!.year).toBeGreaterThan(2001);
  expect(
    await rejected(
      () => db.sql`insert into audit_events (kind, action, status) values ('checkpoint', 'audit.retain', 'ok')`,
    ),
  ).toMatch(/only by audit_retain/);
});

test("the chain head only moves forward", async () => {
  expect(await rejected(() => db.sql`update audit_chain_head set seq = 0`)).toMatch(/only moves forward/);
  expect(await rejected(() => db.sql`delete from audit_chain_head`)).toMatch(/only moves forward/);
});

test("audit_seal refuses a stale head and rows that are not pending", async () => {
  const [head] = await db.sql<{ seq: string }[]>`select seq from audit_chain_head`;
  expect(
    await rejected(
      () =>
        db.sql`select audit_seal(array[${stillUnsealed}]::bigint[], array[repeat('a', 64)], ${Number(head!.seq) - 1})`,
    ),
  ).toMatch(/chain head moved/);
  expect(
    await rejected(
      () => db.sql`select audit_seal(array[${id}]::bigint[], array[repeat('a', 64)], ${head!.seq}::bigint)`,
    ),
  ).toMatch(/missing or already sealed/);
});
