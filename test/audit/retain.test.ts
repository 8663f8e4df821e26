import { cliCaller } from "../support/callers.ts";
import { afterAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { retainAudit } from "../../app/audit/audit-retain.ts";
import { sealPending } from "../../app/audit/audit-seal.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { retainCommand, verifyCommand } from "../../app/cli/audit.ts";
import { freshDatabase } from "../support/db.ts";
import { asTamperer, event, fakeCli } from "./helpers.ts";

const db = await freshDatabase();
afterAll(() => db.close());

/** Events as if written `daysAgo` days ago (the insert trigger would stamp them with now). */
async function oldEvents(count: number, daysAgo: number): Promise<void> {
  for (let i = 0; i < count; i++)
    await recordAudit(db.sql, event(i, { action: "mcp.call", requestId: `old.${daysAgo}` }));
  await asTamperer(
    db.sql,
    (tx) => tx`
    update audit_events set occurred_at = now() - make_interval(days => ${daysAgo}) where seq is null`,
  );
  await sealPending(db.sql);
}

test("retention removes the old prefix, leaves a checkpoint, and the chain still verifies", async () => {
  await oldEvents(30, 400);
  await oldEvents(20, 200);
  await oldEvents(10, 10);
  const outcome = await retainAudit(db.sql, cliCaller("admin"), { olderThanDays: 365 });
  expect(outcome).toMatchObject({ removed: 30, firstSeq: "1", lastSeq: "30" });
  const [checkpoint] = await db.sql<
    { kind: string; action: string; username: string; details: Record<string, unknown> }[]
  >`
    select kind, action, username, details from audit_events where id = ${outcome.checkpointId}`;
  expect(checkpoint).toMatchObject({ kind: "checkpoint", action: "audit.retain", username: "admin" });
  expect(checkpoint!.details).toMatchObject({
    removed: 30,
    firstSeq: 1,
    lastSeq: 30,
    lastHash: outcome.lastHash,
    olderThanDays: 365,
  });
  const result = await verifyAuditChain(db.sql);
  expect(result).toMatchObject({ ok: true, firstSeq: "31", checked: 31 });
  expect(result.checkpointSeq).toBe("61");
});

test("retention again, through the CLI, removes the next stretch and verify still passes", async () => {
  const cli = fakeCli(db.sql);
  expect(await retainCommand(cli.ctx, ["--days", "100"])).toBe(0);
  expect(cli.out[0]).toMatch(/^removed 20 event\(s\), sequence 31 to 50; checkpoint event \d+ records it$/);
  const verify = fakeCli(db.sql);
  expect(await verifyCommand(verify.ctx, [])).toBe(0);
  expect(verify.out[0]).toContain("starts after events removed by retention");
  const [left] = await db.sql<
    { n: number }[]
  >`select count(*)::int as n from audit_events where request_id like 'old.%'`;
  expect(left!.n).toBe(10);
});

test("nothing old enough: nothing removed, no checkpoint", async () => {
  const before = await db.sql`select count(*)::int as n from audit_events`;
  expect((await retainAudit(db.sql, cliCaller("admin"), { olderThanDays: 100 })).removed).toBe(0);
  expect(await db.sql`select count(*)::int as n from audit_events`).toEqual(before);
});

test("a forged checkpoint cannot hide a deletion in the middle of the chain", async () => {
  await asTamperer(
    db.sql,
    (tx) =>
      tx`delete from audit_events where request_id = 'old.10' and seq = (select min(seq) + 2 from audit_events where request_id = 'old.10')`,
  );
  const result = await verifyAuditChain(db.sql);
  expect(result.problem?.kind).toBe("gap");
});

test("the retention CLI checks its argument", async () => {
  const cli = fakeCli(db.sql);
  expect(await retainCommand(cli.ctx, ["--days", "0"])).toBe(2);
  expect(await retainCommand(cli.ctx, [])).toBe(2);
  await expect(retainAudit(db.sql, cliCaller("admin"), { olderThanDays: 0 })).rejects.toThrow(/whole number of days/);
});
