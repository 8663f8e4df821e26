// Tampering as a superuser (triggers bypassed): `audit verify` must name what happened.
import { afterEach, expect, test } from "bun:test";
import { chainHash } from "../../app/audit/audit-canonical.ts";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { verifyCommand } from "../../app/cli/audit.ts";
import { recordColumns, type AuditRecord } from "../../app/audit/audit.sql.ts";
import { freshDatabase, type TestDatabase } from "../support/db.ts";
import { asTamperer, event, fakeCli } from "./helpers.ts";

let db: TestDatabase | null = null;
afterEach(async () => {
  await db?.close();
  db = null;
});

/** A fresh database with `n` sealed events (sequence 1..n). */
async function sealedLog(n: number): Promise<TestDatabase> {
  db = await freshDatabase();
  for (let i = 1; i <= n; i++) await recordAudit(db.sql, event(i));
  await sealPending(db.sql);
  return db;
}

async function runVerify(d: TestDatabase): Promise<{ code: number; out: string[]; err: string[] }> {
  const cli = fakeCli(d.sql);
  const code = await verifyCommand(cli.ctx, []);
  return { code, out: cli.out, err: cli.err };
}

test("a row changed directly in SQL is named with its time", async () => {
  const d = await sealedLog(50);
  const [row] = await d.sql<{ id: string; at: string }[]>`
    select id, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at from audit_events where seq = 23`;
  await asTamperer(d.sql, (tx) => tx`update audit_events set status = 'denied' where seq = 23`);
  const { code, err, out } = await runVerify(d);
  expect(code).toBe(1);
  expect(err).toEqual([
    `audit chain broken at event 23 (id ${row!.id}, ${row!.at}): content does not match its hash — the row was changed after it was written`,
  ]);
  expect(out.join("\n")).toContain("22 event(s) verified before the problem");
});

test("a change inside details is detected too", async () => {
  const d = await sealedLog(10);
  await asTamperer(
    d.sql,
    (tx) => tx`update audit_events set details = jsonb_set(details, '{args,fabric}', '"f2"') where seq = 7`,
  );
  const result = await verifyAuditChain(d.sql);
  expect(result.problem).toMatchObject({ kind: "changed", seq: "7" });
});

test("a row rewritten together with its hash breaks the link from its successor", async () => {
  const d = await sealedLog(10);
  const [row] = await d.sql<AuditRecord[]>`select ${recordColumns(d.sql)} from audit_events where seq = 5`;
  const forged = { ...row!, action: "mcp.harmless" };
  const hash = chainHash(forged, forged.seq!, forged.prevHash!);
  await asTamperer(d.sql, (tx) => tx`update audit_events set action = ${forged.action}, hash = ${hash} where seq = 5`);
  const result = await verifyAuditChain(d.sql);
  expect(result.problem).toMatchObject({ kind: "relinked", seq: "6" });
  expect(result.problem!.message).toContain("event 5 was rewritten");
});

test("a deleted row shows as a gap in the sequence", async () => {
  const d = await sealedLog(50);
  await asTamperer(d.sql, (tx) => tx`delete from audit_events where seq = 41`);
  const { code, err } = await runVerify(d);
  expect(code).toBe(1);
  expect(err[0]).toMatch(
    /^audit chain broken at event 42 \(id \d+, [-0-9T:.]+Z\): event\(s\) between sequence 40 and 42 are missing — a row was deleted$/,
  );
});

test("deleting the first rows without a retention checkpoint is detected", async () => {
  const d = await sealedLog(10);
  await asTamperer(d.sql, (tx) => tx`delete from audit_events where seq <= 3`);
  const result = await verifyAuditChain(d.sql);
  expect(result.problem).toMatchObject({ kind: "missing-start", seq: "4" });
  expect(result.problem!.message).toContain("from sequence 1 to 3 are missing");
});

test("deleting the newest rows is detected through the chain head", async () => {
  const d = await sealedLog(10);
  await asTamperer(d.sql, (tx) => tx`delete from audit_events where seq >= 9`);
  const result = await verifyAuditChain(d.sql);
  expect(result.problem).toMatchObject({ kind: "missing-end", seq: "8" });
  expect(result.problem!.message).toContain("after sequence 8 up to 10, are missing");
});

test("un-sealing a row to have it re-sealed elsewhere leaves a gap", async () => {
  const d = await sealedLog(10);
  await asTamperer(
    d.sql,
    (tx) => tx`update audit_events set seq = null, prev_hash = null, hash = null, action = 'x.y' where seq = 4`,
  );
  const result = await verifyAuditChain(d.sql);
  expect(result.sealed).toBe(1);
  expect(result.problem).toMatchObject({ kind: "gap", seq: "5" });
});

test("everything deleted is detected", async () => {
  const d = await sealedLog(3);
  await asTamperer(d.sql, (tx) => tx`delete from audit_events`);
  const result = await verifyAuditChain(d.sql);
  expect(result.problem).toMatchObject({ kind: "missing-end" });
});
