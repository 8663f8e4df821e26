// Issue 11: group commit of MCP calls' audit rows (app/audit/audit-batch.ts).
import { afterAll, expect, test } from "bun:test";
import { AuditBatcher } from "../../app/audit/audit-batch.ts";
import type { AuditEventInput } from "../../app/audit/audit-event.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

const call = (n: number, extra: Partial<AuditEventInput> = {}): AuditEventInput => ({
  action: "mcp.call",
  status: "ok",
  requestId: `req-${n}`,
  actor: { username: "vera", via: "token", tokenName: "t" },
  target: { operationId: "manage.listFabrics" },
  details: { tool: "list_fabrics", n, password: "hunter2" },
  ...extra,
});

test("concurrent writers share batches; each write resolves after its row is committed; the chain verifies", async () => {
  const batcher = new AuditBatcher(db.sql, { maxRows: 64 });
  const seen: number[] = [];
  await Promise.all(
    Array.from({ length: 500 }, async (_, n) => {
      await batcher.write(call(n));
      // Resolved means committed: a separate connection already finds the row.
      const [row] = await db.sql<
        { n: number }[]
      >`select count(*)::int as n from audit_events where request_id = ${`req-${n}`}`;
      seen.push(row!.n);
    }),
  );
  expect(seen.length).toBe(500);
  expect(seen.every((n) => n === 1)).toBe(true);
  const [batches] = await db.sql<{ rows: number; instants: number }[]>`
    select count(*)::int as rows, count(distinct xmin::text)::int as instants from audit_events where action = 'mcp.call'`;
  expect(batches!.rows).toBe(500);
  expect(batches!.instants).toBeLessThan(250); // many rows per transaction
  const [details] = await db.sql<
    { details: Record<string, unknown> }[]
  >`select details from audit_events where request_id = 'req-7'`;
  expect(details!.details.password).toBe("[redacted]");
  await sealPending(db.sql);
  expect(await verifyAuditChain(db.sql)).toMatchObject({ ok: true, problem: null });
  await batcher.close();
});

test("a batch with a bad row: the others commit, only the bad row's writer is refused", async () => {
  const errors: string[] = [];
  const batcher = new AuditBatcher(db.sql, { onBatchError: (m) => errors.push(m) });
  const results = await Promise.allSettled([
    batcher.write(call(1001)),
    batcher.write(call(1002, { status: "bogus" as never })),
    batcher.write(call(1003)),
  ]);
  expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  expect(errors.length).toBe(1);
  const rows = await db.sql<
    { request_id: string }[]
  >`select request_id from audit_events where request_id in ('req-1001', 'req-1002', 'req-1003') order by 1`;
  expect(rows.map((r) => r.request_id)).toEqual(["req-1001", "req-1003"]);
  await batcher.close();
});

test("close() writes what is queued before it returns", async () => {
  const batcher = new AuditBatcher(db.sql, { maxInFlight: 1 });
  const writes = Array.from({ length: 50 }, (_, n) => batcher.write(call(90000 + n)));
  await batcher.close();
  await Promise.all(writes);
  const [row] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from audit_events where request_id like 'req-900%'`;
  expect(row!.n).toBe(50);
});
