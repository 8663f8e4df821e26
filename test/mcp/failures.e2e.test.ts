/**
 * What a model sees when things go wrong, and what the gateway refuses before anything leaves:
 * ND unreachable, slow, failing or answering garbage; path tricks in parameters; unknown tools,
 * wrong argument types, enormous arguments; and an audit log that cannot be written. Every case
 * comes back as a tool error (or, for a body over the limit, a JSON-RPC error) that explains,
 * leaves an audit row (except, by definition, when the audit log itself is down), and the
 * gateway keeps serving everyone else.
 */
import { cliCaller } from "../support/callers.ts";
import { afterAll, describe, expect, test } from "bun:test";
import { addCluster } from "../../app/clusters/clusters.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { freePort } from "../support/ports.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { auditSince, call, lastAuditId, ndRequests, textOf, waitFor } from "./mcp-test-kit.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
const admin = cliCaller("admin");
const clusterDeps = { keyring: world.gw.server.services.keyring, urlPolicy: world.gw.server.services.urlPolicy };
const credentials = { mode: "password" as const, username: "admin", password: "nd-sim-password", domain: "local" };

// "down": nothing listens there. "slow": the simulator, with a one-second timeout.
await addCluster(
  sql,
  cliCaller("cli"),
  { name: "down", url: `https://127.0.0.1:${await freePort()}`, credentials, tls: { verify: false } },
  clusterDeps,
);
await addCluster(
  sql,
  cliCaller("cli"),
  { name: "slow", url: world.sim.url, credentials, tls: { verify: true, caPem: world.sim.caPem }, timeoutMs: 1_000 },
  clusterDeps,
);

const vera = await world.connect("vera", "http");
const olga = await world.connect("olga", "sse");

async function failedRow(mark: string) {
  const rows = (await auditSince(sql, mark)).filter((r) => r.action === "mcp.call");
  expect(rows.length).toBe(1);
  return rows[0]!;
}

describe("Nexus Dashboard failures become tool errors that explain", () => {
  test("unreachable cluster", async () => {
    const mark = await lastAuditId(sql);
    const r = await call(vera, "list_fabrics", { cluster: "down" });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("Nexus Dashboard call failed (unreachable)");
    expect(await failedRow(mark)).toMatchObject({
      status: "failed",
      cluster_name: "down",
      operation_id: "manage.listFabricsSummary",
    });
    expect((await call(vera, "list_fabrics", { cluster: "sim" })).isError).toBeFalsy();
  });

  test("a slow cluster times out while another user's calls are answered meanwhile", async () => {
    world.sim.faults.queue("latency=3000", { path: "/api/v1/manage/fabrics", count: 1 });
    const mark = await lastAuditId(sql);
    const started = performance.now();
    const slow = call(vera, "list_fabrics", { cluster: "slow" });
    const other = await call(olga, "list_clusters");
    const otherMs = performance.now() - started;
    const r = await slow;
    expect(other.isError).toBeFalsy();
    expect(otherMs).toBeLessThan(900);
    expect(r.isError).toBe(true);
    expect(textOf(r)).toContain("Nexus Dashboard call failed (timeout)");
    expect(textOf(r)).toContain("did not answer in time");
    expect((await auditSince(sql, mark)).find((row) => row.cluster_name === "slow")).toMatchObject({
      status: "failed",
      operation_id: "manage.listFabricsSummary",
    });
  });

  test("a write that never reached ND (connection refused) leaves its intent and a failed outcome, linked", async () => {
    await setEditMode(sql, admin, true, null);
    const mark = await lastAuditId(sql);
    let r;
    try {
      r = await call(olga, "call_operation", {
        operation: "ndfc.createVrf",
        cluster: "down",
        params: { fabric: "f1" },
        body: { vrfName: "lost", vrfId: 50777 },
      });
    } finally {
      await setEditMode(sql, admin, false, null);
    }
    expect(textOf(r)).toContain("Nexus Dashboard call failed (unreachable)");
    expect(textOf(r)).not.toContain("may or may not");
    const rows = (await auditSince(sql, mark)).filter((row) => row.action === "mcp.call");
    expect(rows.map((row) => [row.status, row.details.phase])).toEqual([
      ["pending", "intent"],
      ["failed", "outcome"],
    ]);
    expect(rows[0]!.call_id).toBeTruthy();
    expect(rows[1]!.call_id).toBe(rows[0]!.call_id);
  });

  test("a write that timed out after it left is recorded as unknown, and the text says to check ND exactly once", async () => {
    await setEditMode(sql, admin, true, null);
    await call(vera, "list_fabrics", { cluster: "slow" }); // logged in, so the delayed POST is the write
    world.sim.faults.queue("latency=3000", { method: "POST", count: 1 });
    const mark = await lastAuditId(sql);
    let r;
    try {
      r = await call(olga, "call_operation", {
        operation: "ndfc.createVrf",
        cluster: "slow",
        params: { fabric: "f1" },
        body: { vrfName: "late", vrfId: 50778 },
      });
    } finally {
      await setEditMode(sql, admin, false, null);
      world.sim.faults.clear();
    }
    expect(textOf(r)).toContain("Nexus Dashboard call failed (timeout)");
    expect(textOf(r)).toContain("may or may not");
    expect(textOf(r).match(/may or may not have been applied/g)).toHaveLength(1);
    const rows = (await auditSince(sql, mark)).filter((row) => row.action === "mcp.call");
    expect(rows.map((row) => [row.status, row.details.phase])).toEqual([
      ["pending", "intent"],
      ["unknown", "outcome"],
    ]);
  });

  const faults: [string, string, string][] = [
    ["status=503", "upstream_error, HTTP 503", "HTTP 503"],
    ["status=502; html", "upstream_error, HTTP 502", "HTTP 502"],
    ["html", "bad_response", "HTML"],
    ["invalid-json", "bad_response", "JSON"],
  ];
  for (const [fault, kind, detail] of faults) {
    test(`ND answers ${fault}`, async () => {
      world.sim.faults.clear();
      world.sim.faults.queue(fault, { path: "/api/v1/manage/fabrics", count: 5 });
      const mark = await lastAuditId(sql);
      const r = await call(vera, "list_fabrics", { cluster: "sim" });
      world.sim.faults.clear();
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain(`Nexus Dashboard call failed (${kind}`);
      expect(textOf(r).toLowerCase()).toContain(detail.toLowerCase());
      const row = await failedRow(mark);
      expect(row.status).toBe("failed");
      expect(row.error).toBeTruthy();
      expect((await call(vera, "list_fabrics", { cluster: "sim" })).isError).toBeFalsy();
    });
  }
});

describe("refused before anything leaves the gateway", () => {
  const tricks = [
    "../../api/v1/infra/users",
    "fab%2F..%2Fx",
    "..%2fadmin",
    "https://evil.example.com/x",
    "a/b",
    "..",
    "x?y=1",
    "x#y",
    "a\\b",
  ];
  for (const trick of tricks) {
    test(`path parameter ${JSON.stringify(trick)}`, async () => {
      const sent = world.sim.requestLog.size;
      const mark = await lastAuditId(sql);
      const viaCurated = await call(vera, "list_switches", { cluster: "sim", fabric: trick });
      const viaCall = await call(vera, "call_operation", {
        operation: "ndfc.listVrfs",
        cluster: "sim",
        params: { fabric: trick },
      });
      for (const r of [viaCurated, viaCall]) {
        expect(r.isError).toBe(true);
        expect(textOf(r)).toMatch(/contains|is empty|dot segment/);
      }
      expect(world.sim.requestLog.size).toBe(sent);
      const rows = (await auditSince(sql, mark)).filter((row) => row.action === "mcp.call");
      expect(rows.map((row) => row.status)).toEqual(["failed", "failed"]);
    });
  }

  test("an unknown tool is refused with a pointer to tools/list, and audited", async () => {
    const mark = await lastAuditId(sql);
    const r = await call(vera, "delete_everything", { really: true });
    expect(r.isError).toBe(true);
    expect(textOf(r)).toBe('unknown tool "delete_everything"; tools/list shows the tools you can use.');
    expect(await failedRow(mark)).toMatchObject({ status: "failed", error: "unknown tool", operation_id: null });
  });

  test("an operation outside the catalog is refused", async () => {
    const r = await call(vera, "call_operation", { operation: "https://evil.example.com/api", cluster: "sim" });
    expect(textOf(r)).toContain('unknown operation "https://evil.example.com/api"');
  });

  test("wrong argument types are named, and nothing falls back to a default", async () => {
    const sent = ndRequests(world);
    const mark = await lastAuditId(sql);
    const cases: [string, Record<string, unknown>, string][] = [
      ["list_fabrics", { cluster: 5 }, "cluster must be string"],
      ["list_fabrics", { cluster: "sim", limit: "ten" }, "limit must be integer"],
      [
        "list_anomalies",
        { cluster: "sim", severity: "apocalyptic" },
        'severity = "apocalyptic" is not allowed; allowed values (closest first): "critical", "major", "minor", "warning"',
      ],
      ["call_operation", { operation: "manage.listFabrics", params: "fabric=x" }, "params must be object"],
      ["call_operation", { params: {} }, "must have required property 'operation'"],
      [
        "list_fabrics",
        { cluster: "sim", fabric: "x" },
        'no argument "fabric"; valid arguments: cluster, limit, offset, fields',
      ],
      [
        "call_operation",
        { operation: "ndfc.listVrfs", cluster: "sim", params: { fabric: "f", bogus: 1 } },
        "ndfc.listVrfs has no parameter bogus",
      ],
      [
        "call_operation",
        { operation: "manage.listFabrics", cluster: "sim", body: { a: 1 } },
        "manage.listFabrics takes no request body",
      ],
    ];
    for (const [tool, args, message] of cases) {
      const r = await call(vera, tool, args);
      expect(r.isError).toBe(true);
      expect(textOf(r)).toContain(message);
    }
    expect(ndRequests(world)).toBe(sent);
    const rows = (await auditSince(sql, mark)).filter((row) => row.action === "mcp.call");
    expect(rows.length).toBe(cases.length);
    expect(rows.every((row) => row.status === "failed")).toBe(true);
  });

  test("enormous arguments: over the body limit → 413 JSON-RPC error; under it → refused and audited in bounded size", async () => {
    const before = await lastAuditId(sql);
    await expect(call(vera, "search_operations", { query: "x".repeat(2_000_000) })).rejects.toThrow(/413|too large/);
    const refusal = await waitFor(async () => (await auditSince(sql, before)).find((r) => r.action === "mcp.request"));
    expect(refusal).toMatchObject({
      status: "failed",
      username: "vera",
      error: "request body too large (limit 1048576 bytes)",
    });
    const mark = await lastAuditId(sql);
    const big = await call(vera, "search_operations", { query: "vrf ".repeat(100_000) });
    expect(textOf(big)).toContain("query must NOT have more than 200 characters");
    const bigBody = await call(vera, "call_operation", {
      operation: "ndfc.createVrf",
      cluster: "sim",
      params: { fabric: "f" },
      body: { blob: "y".repeat(600_000) },
    });
    expect(bigBody.isError).toBe(true);
    const rows = (await auditSince(sql, mark)).filter((row) => row.action === "mcp.call");
    expect(rows.length).toBe(2);
    for (const row of rows) expect(JSON.stringify(row.details).length).toBeLessThan(20_000);
  });
});

describe("when the audit log cannot be written", () => {
  test("writes fail closed and ND receives nothing; read results are withheld", async () => {
    await setEditMode(sql, admin, true, null);
    const before = ndRequests(world, "/appcenter", "POST");
    await sql`alter table audit_events rename to audit_events_away`;
    let write, read;
    try {
      write = await call(olga, "call_operation", {
        operation: "ndfc.createVrf",
        cluster: "sim",
        params: { fabric: "f1" },
        body: { vrfName: "blocked", vrfId: 50123 },
      });
      read = await call(olga, "list_fabrics", { cluster: "sim" });
    } finally {
      await sql`alter table audit_events_away rename to audit_events`;
      await setEditMode(sql, admin, false, null);
    }
    expect(write.isError).toBe(true);
    expect(textOf(write)).toContain(
      "could not record the intent of this call in its audit log, so it did not call Nexus Dashboard (fail closed)",
    );
    expect(ndRequests(world, "/appcenter", "POST")).toBe(before);
    expect(read.isError).toBe(true);
    expect(textOf(read)).toContain("could not write its audit log, so the result is withheld");
    expect(textOf(read)).not.toContain("fabrics:");
    // Restored: calls are answered and audited again.
    const mark = await lastAuditId(sql);
    expect((await call(olga, "list_fabrics", { cluster: "sim" })).isError).toBeFalsy();
    expect((await auditSince(sql, mark)).length).toBe(1);
  });
});
