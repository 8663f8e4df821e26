/**
 * Graceful shutdown drains first. `RunningServer.stop()` is exactly what SIGTERM/SIGINT call
 * (app/main.ts). With a write in flight on a legacy SSE session and a read on Streamable HTTP
 * (ND slowed by the simulator's latency fault): new connections stop, both calls finish and are
 * answered, their outcomes are recorded as they happened, and only then do streams close. A
 * write cut at the end of the grace period is recorded as `unknown`, never `failed`. Writes
 * left without an outcome (a crash) are closed as `unknown` and reported by `audit verify`.
 */
import { expect, test } from "bun:test";
import { recordAudit } from "../../app/audit/audit-log.ts";
import { closeOpenIntents, findOpenIntents } from "../../app/audit/audit-intents.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { startMcpWorld, type McpWorld } from "../support/mcp-world.ts";
import { auditSince, call, firstFabric, lastAuditId, textOf } from "../mcp/mcp-test-kit.ts";
import { freshDatabase } from "../support/db.ts";
import { runCli } from "../../app/cli.ts";
import { cliCaller } from "../support/callers.ts";

const admin = cliCaller("admin");

async function writeInFlight(world: McpWorld, latencyMs: number) {
  const sql = world.gw.db.sql;
  await setEditMode(sql, admin, true, null);
  const sse = await world.connect("olga", "sse");
  const http = await world.connect("vera", "http");
  const fabric = await firstFabric(http);
  world.sim.faults.queue(`latency=${latencyMs}`, { method: "POST", count: 1 });
  world.sim.faults.queue(`latency=${latencyMs}`, { method: "GET", path: "/api/v1/manage/fabrics", count: 1 });
  const mark = await lastAuditId(sql);
  const write = call(sse, "call_operation", {
    operation: "ndfc.createVrf",
    params: { fabric },
    body: { fabric, vrfName: "drain", vrfId: 50990 },
  }).then(
    (r) => ({ ok: !r.isError, text: textOf(r) }),
    (err) => ({ ok: false, text: String(err) }),
  );
  const read = call(http, "list_fabrics", { fields: ["name"] }).then(
    (r) => ({ ok: !r.isError, text: textOf(r) }),
    (err) => ({ ok: false, text: String(err) }),
  );
  // Both requests have reached ND (the simulator is holding them) before the stop begins.
  for (let i = 0; i < 100 && world.sim.requestLog.find("", "POST").filter((e) => e.path !== "/login").length === 0; i++)
    await Bun.sleep(20);
  await Bun.sleep(100);
  return { write, read, mark, sql };
}

async function finish(world: McpWorld) {
  await world.sim.stop();
  await world.gw.db.close();
}

test("SIGTERM with an SSE write and an HTTP read in flight: both complete, the outcome is recorded as ok, then streams close", async () => {
  const world = await startMcpWorld({ SHUTDOWN_GRACE: "10s" });
  try {
    const { write, read, mark, sql } = await writeInFlight(world, 1_500);
    const started = Date.now();
    const stopping = world.gw.server.stop();
    expect(await write).toMatchObject({ ok: true });
    expect(await read).toMatchObject({ ok: true });
    await stopping;
    expect(Date.now() - started).toBeLessThan(8_000);
    const rows = (await auditSince(sql, mark)).filter(
      (r) => r.action === "mcp.call" && r.operation_id === "ndfc.createVrf",
    );
    expect(rows.map((r) => [r.details.phase, r.status])).toEqual([
      ["intent", "pending"],
      ["outcome", "ok"],
    ]);
  } finally {
    await finish(world);
  }
}, 60_000);

test("a write still running when the grace period ends is recorded as unknown, never failed", async () => {
  const world = await startMcpWorld({ SHUTDOWN_GRACE: "1s" });
  try {
    const { write, mark, sql } = await writeInFlight(world, 4_000);
    await world.gw.server.stop();
    // The stream was closed under the call; whatever the client makes of that, it got no result.
    expect(await Promise.race([write, Bun.sleep(3_000).then(() => ({ ok: false, text: "no answer" }))])).toMatchObject({
      ok: false,
    });
    const rows = (await auditSince(sql, mark)).filter(
      (r) => r.action === "mcp.call" && r.operation_id === "ndfc.createVrf",
    );
    expect(rows.map((r) => [r.details.phase, r.status])).toEqual([
      ["intent", "pending"],
      ["outcome", "unknown"],
    ]);
  } finally {
    await finish(world);
  }
}, 60_000);

test("a write intent left without an outcome (crash) gets an unknown outcome and is reported by audit verify", async () => {
  const db = await freshDatabase();
  try {
    const callId = crypto.randomUUID();
    await recordAudit(db.sql, {
      action: "mcp.call",
      status: "pending",
      callId,
      actor: { username: "olga", via: "laptop" },
      target: { operationId: "ndfc.createVrf" },
      cluster: { name: "sim" },
      details: { phase: "intent" },
    });
    expect((await findOpenIntents(db.sql)).length).toBe(0); // too young: may still be running elsewhere
    const out: string[] = [];
    await runCli(
      ["audit", "verify"],
      { DATABASE_URL: db.url },
      (l) => out.push(l),
      () => {},
    );
    expect(out.join("\n")).toContain("1 write(s) started in the last 5 minutes have no outcome yet");
    const closed = await closeOpenIntents(db.sql, 0);
    expect(closed.map((i) => i.call_id)).toEqual([callId]);
    const rows = await db.sql<
      { status: string; reason: string }[]
    >`select status, reason from audit_events where call_id = ${callId} order by id`;
    expect(rows.map((r) => r.status)).toEqual(["pending", "unknown"]);
    expect(rows[1]!.reason).toContain("check it on Nexus Dashboard");
    expect(await closeOpenIntents(db.sql, 0)).toEqual([]);
  } finally {
    await db.close();
  }
});
