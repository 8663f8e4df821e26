import { afterAll, expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { freshDatabase } from "../support/db.ts";

const db = await freshDatabase();
afterAll(() => db.close());

test("recordAudit stores an event inside the caller's transaction", async () => {
  const { id } = await db.sql.begin((tx) =>
    recordAudit(tx, {
      action: "user.create",
      status: "ok",
      actor: { userId: "u1", username: "alice", via: "session", clientIp: "10.0.0.1", userAgent: "Firefox" },
      target: { resourceType: "user", resourceId: "u2" },
      details: { username: "bob" },
    }),
  );
  const rows =
    await db.sql`select id, action, status, username, resource_id, details, seq from audit_events where id = ${id}`;
  expect(rows[0]).toMatchObject({
    id,
    action: "user.create",
    status: "ok",
    username: "alice",
    resource_id: "u2",
    details: { username: "bob" },
    seq: null,
  });
});

test("an event rolled back with its transaction leaves no row", async () => {
  await db.sql
    .begin(async (tx) => {
      await recordAudit(tx, { action: "user.delete", status: "ok" });
      throw new Error("rollback");
    })
    .catch(() => {});
  const rows = await db.sql`select id from audit_events where action = 'user.delete'`;
  expect(rows.length).toBe(0);
});
