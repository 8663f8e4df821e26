import { afterAll, expect, test } from "bun:test";
import { GENESIS_HASH, chainHash } from "../../app/audit/audit-canonical.ts";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { sealPending, startAuditSealer } from "../../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { recordColumns, type AuditRecord } from "../../app/audit/audit.sql.ts";
import { freshDatabase } from "../support/db.ts";
import { event, fakeCli, writeConcurrently } from "./helpers.ts";
import { verifyCommand } from "../../app/cli/audit.ts";

const db = await freshDatabase();
afterAll(() => db.close());

test("an empty log verifies", async () => {
  const result = await verifyAuditChain(db.sql);
  expect(result).toMatchObject({ ok: true, checked: 0, problem: null });
});

test("the chain verifies after many concurrent inserts sealed while they happen", async () => {
  const sealer = startAuditSealer(db.sql, { debounceMs: 20, pollMs: 200, batchSize: 100 });
  await writeConcurrently(db.sql, 32, 1200);
  await sealer.stop();
  const [counts] = await db.sql<{ total: number; sealed: number; maxSeq: string }[]>`
    select count(*)::int as total, count(seq)::int as sealed, max(seq) as "maxSeq" from audit_events`;
  expect(counts).toEqual({ total: 1200, sealed: 1200, maxSeq: "1200" });
  const result = await verifyAuditChain(db.sql);
  expect(result).toMatchObject({ ok: true, checked: 1200, firstSeq: "1", lastSeq: "1200", problem: null });
});

test("each row stores its predecessor's hash and its own hash over the canonical encoding", async () => {
  const rows = await db.sql<
    AuditRecord[]
  >`select ${recordColumns(db.sql)} from audit_events where seq <= 3 order by seq`;
  expect(rows[0]!.prevHash).toBe(GENESIS_HASH);
  for (const [i, row] of rows.entries()) {
    expect(row.hash).toBe(chainHash(row, row.seq!, row.prevHash!));
    if (i > 0) expect(row.prevHash).toBe(rows[i - 1]!.hash);
  }
  const [head] = await db.sql`select seq, hash from audit_chain_head`;
  const [last] = await db.sql`select seq, hash from audit_events order by seq desc limit 1`;
  expect(head).toEqual(last!);
});

test("sealNow seals everything committed before it, and the time comes from the server clock", async () => {
  const before = Date.now();
  const { id } = await recordAudit(db.sql, event(1));
  expect(await sealPending(db.sql)).toBe(1);
  const [row] = await db.sql<
    { seq: string | null; occurredAt: Date }[]
  >`select seq, occurred_at as "occurredAt" from audit_events where id = ${id}`;
  expect(row!.seq).toBe("1201");
  expect(Math.abs(row!.occurredAt.getTime() - before)).toBeLessThan(5000);
});

test("a sealer wakes up soon after an insert in this process", async () => {
  const sealer = startAuditSealer(db.sql, { debounceMs: 10, pollMs: 60_000 });
  await Bun.sleep(50);
  const { id } = await recordAudit(db.sql, event(2));
  let seq: string | null = null;
  for (let i = 0; i < 100 && seq === null; i++) {
    await Bun.sleep(20);
    seq = (await db.sql<{ seq: string | null }[]>`select seq from audit_events where id = ${id}`)[0]!.seq;
  }
  await sealer.stop();
  expect(seq).toBe("1202");
});

test("two sealers running at once keep the chain contiguous", async () => {
  const a = startAuditSealer(db.sql, { debounceMs: 5, pollMs: 20, batchSize: 7 });
  const b = startAuditSealer(db.sql, { debounceMs: 5, pollMs: 20, batchSize: 7 });
  await writeConcurrently(db.sql, 8, 300);
  await Promise.all([a.stop(), b.stop()]);
  expect((await verifyAuditChain(db.sql)).ok).toBe(true);
});

test("`audit verify` reports an intact chain with exit 0", async () => {
  const cli = fakeCli(db.sql);
  expect(await verifyCommand(cli.ctx, [])).toBe(0);
  expect(cli.out.join("\n")).toMatch(/^audit chain ok: 1502 event\(s\) verified, sequence 1 to 1502$/);
});
