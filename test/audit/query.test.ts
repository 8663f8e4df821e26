import { afterAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { callEvents, getAuditEvent, queryAudit } from "../../app/audit/audit-query.ts";
import { textQuery } from "../../app/audit/audit-filter.ts";
import { freshDatabase } from "../support/db.ts";
import { event } from "./helpers.ts";

const db = await freshDatabase();
afterAll(() => db.close());

for (let n = 0; n < 120; n++) await recordAudit(db.sql, event(n));
await recordAudit(
  db.sql,
  event(200, {
    action: "mcp.call",
    status: "denied",
    decision: "deny",
    reason: "edit mode is off",
    target: { operationId: "manage.createVrf", operationName: "Create VRF", method: "POST" },
  }),
);
await recordAudit(
  db.sql,
  event(201, {
    action: "mcp.call",
    status: "failed",
    error: "upstream timeout after 30s",
    cluster: { id: "c9", name: "lab-west" },
  }),
);
await recordAudit(
  db.sql,
  event(202, {
    action: "user.create",
    actor: { username: "admin" },
    target: { resourceType: "user", resourceId: "u77" },
  }),
);

test("keyset pages cover every event once, newest first", async () => {
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await queryAudit(db.sql, {}, { limit: 25, cursor });
    seen.push(...page.rows.map((r) => r.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor);
  expect(pages).toBe(5);
  expect(seen.length).toBe(123);
  expect(new Set(seen).size).toBe(123);
  const ids = seen.map(Number);
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
});

test("a page is stable while new events arrive", async () => {
  const first = await queryAudit(db.sql, {}, { limit: 10 });
  await recordAudit(db.sql, event(300));
  const second = await queryAudit(db.sql, {}, { limit: 10, cursor: first.nextCursor });
  expect(Number(second.rows[0]!.id)).toBe(Number(first.rows[9]!.id) - 1);
});

test("filters: user, action prefix, cluster, status, decision, time", async () => {
  const ids = async (filter: Parameters<typeof queryAudit>[1]) =>
    (await queryAudit(db.sql, filter, { limit: 500 })).rows.map((r) => r.action);
  expect(await ids({ user: "admin" })).toEqual(["user.create"]);
  expect((await ids({ action: "user." })).length).toBe(1);
  expect((await ids({ action: "mcp" })).length).toBe(123);
  expect(await ids({ cluster: "lab-west" })).toEqual(["mcp.call"]);
  expect(await ids({ status: "denied" })).toEqual(["mcp.call"]);
  expect(await ids({ decision: "deny" })).toEqual(["mcp.call"]);
  expect((await ids({ since: new Date(Date.now() + 60_000) })).length).toBe(0);
  expect((await ids({ until: new Date(Date.now() + 60_000), user: "user1" })).length).toBe(40);
});

test("free text finds words and word prefixes across the searchable fields", async () => {
  const find = async (text: string) => (await queryAudit(db.sql, { text }, { limit: 500 })).rows;
  expect((await find("vrf")).map((r) => r.operationId)).toEqual(["manage.createVrf"]);
  expect((await find("createvrf")).length).toBe(1);
  expect((await find("edit mode")).map((r) => r.reason)).toEqual(["edit mode is off"]);
  expect((await find("timeout")).map((r) => r.error)).toEqual(["upstream timeout after 30s"]);
  expect((await find("lab")).map((r) => r.clusterName)).toEqual(["lab-west"]);
  expect((await find("fabr")).length).toBe(122);
  expect((await find("nothing-like-this")).length).toBe(0);
  expect((await find("'; drop table audit_events; --")).length).toBe(0);
  expect(await queryAudit(db.sql, { text: "!!!" }, { limit: 1 })).toMatchObject({ rows: [expect.anything()] });
});

test("text and filters combine, and pagination works with them", async () => {
  const page = await queryAudit(db.sql, { text: "fabrics", user: "user2" }, { limit: 30 });
  expect(page.rows.length).toBe(30);
  const rest = await queryAudit(db.sql, { text: "fabrics", user: "user2" }, { limit: 30, cursor: page.nextCursor });
  expect(page.rows.length + rest.rows.length).toBe(40);
  expect(rest.nextCursor).toBeNull();
});

test("tsquery text is made of words only; a tampered cursor is refused", async () => {
  expect(textQuery("Create-VRF  f1 & !x")).toBe("create:* & vrf:* & f1:* & x:*");
  expect(textQuery("  ")).toBeNull();
  await expect(queryAudit(db.sql, {}, { cursor: "bm9wZQ" })).rejects.toThrow(/not valid/);
});

test("one event by id", async () => {
  const { rows } = await queryAudit(db.sql, { user: "admin" });
  expect((await getAuditEvent(db.sql, rows[0]!.id))?.resourceId).toBe("u77");
  expect(await getAuditEvent(db.sql, "x")).toBeNull();
});

test("free text matching many events pages newest first through the time index, completely", async () => {
  await db.sql.begin(async (tx) => {
    for (let n = 0; n < 1100; n++)
      await recordAudit(tx, event(n, { action: "audit.export", reason: "bulkread export", requestId: `bulk-${n}` }));
  });
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof queryAudit>> = await queryAudit(
      db.sql,
      { text: "bulkread" },
      { limit: 200, cursor },
    );
    seen.push(...page.rows.map((r) => r.id));
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen.length).toBe(1100);
  expect(new Set(seen).size).toBe(1100);
  const ids = seen.map(Number);
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
});

test("the events of one call: intent, then outcome", async () => {
  await recordAudit(
    db.sql,
    event(900, { status: "pending", callId: "call-42", target: { operationId: "manage.createVrf", method: "POST" } }),
  );
  await recordAudit(db.sql, event(901, { status: "ok", callId: "call-42", upstreamStatus: 201 }));
  const rows = await callEvents(db.sql, "call-42");
  expect(rows.map((r) => r.status)).toEqual(["pending", "ok"]);
  expect(await callEvents(db.sql, "call-none")).toEqual([]);
});
