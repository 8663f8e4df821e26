/**
 * The security settings as a user of an MCP client meets them, end to end through the real
 * gateway and simulator: edit mode and its expiry, argument constraints, human approval of one
 * exact call, sensitive reads, and narrowed tokens. Each case checks what reached ND
 * (the simulator's request log) and what the audit log recorded.
 */
import { afterAll, beforeEach, describe, expect, test } from "bun:test";
import type { Client } from "@modelcontextprotocol/client";
import { uploadInput } from "../../app/catalog/import-inputs.ts";
import { importDocuments } from "../../app/catalog/import.ts";
import { callerFor, cliCaller } from "../support/callers.ts";
import { createApiToken, resolveApiToken } from "../../app/identity/api-tokens.ts";
import { decideApproval, getApproval, setApprovalSettings } from "../../app/policy/approvals.ts";
import {
  addApprovalRule,
  addConstraint,
  addToWhitelist,
  removeApprovalRule,
  removeConstraint,
  removeFromWhitelist,
  setEditMode,
} from "../../app/policy/policy-settings.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { auditSince, call, firstFabric, lastAuditId, ndRequests, textOf } from "./mcp-test-kit.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
const admin = cliCaller("admin");
const cli = cliCaller("cli");

const olga = await world.connect("olga", "http");
const fabric = await firstFabric(olga);
let vrfSeq = 51_000;
const createVrf = (extra: Record<string, unknown> = {}) => {
  const id = vrfSeq++;
  return { operation: "ndfc.createVrf", params: { fabric }, body: { fabric, vrfName: `v${id}`, vrfId: id }, ...extra };
};
const vrfPosts = () => ndRequests(world, "/appcenter", "POST");

beforeEach(async () => {
  await setEditMode(sql, admin, false, null);
});

describe("edit mode", () => {
  test("expires by itself: the write allowed a moment ago is refused once the expiry passes", async () => {
    await setEditMode(sql, admin, true, new Date(Date.now() + 1_500));
    const before = vrfPosts();
    expect((await call(olga, "call_operation", createVrf())).isError).toBeFalsy();
    expect(vrfPosts()).toBe(before + 1);

    await Bun.sleep(1_700);
    const late = await call(olga, "call_operation", createVrf());
    expect(late.isError).toBe(true);
    expect(textOf(late)).toContain("edit mode is off (it expired)");
    expect(vrfPosts()).toBe(before + 1);
  });

  test("a change applies to the very next call, both ways", async () => {
    const before = vrfPosts();
    await setEditMode(sql, admin, true, null);
    expect((await call(olga, "call_operation", createVrf())).isError).toBeFalsy();
    await setEditMode(sql, admin, false, null);
    const refused = await call(olga, "call_operation", createVrf());
    expect(textOf(refused)).toContain("the gateway is read-only: edit mode is off.");
    expect(vrfPosts()).toBe(before + 1);
  });
});

describe("argument constraints", () => {
  test("a constrained write runs only with an allowed value; a read constraint ('all') binds reads too", async () => {
    await setEditMode(sql, admin, true, null);
    const writeRule = await addConstraint(sql, admin, {
      operationPattern: "ndfc.createVrf",
      param: "fabric",
      allowed: ["fab-elsewhere"],
      appliesTo: "write",
    });
    const readRule = await addConstraint(sql, admin, {
      operationPattern: "manage.listFabricSwitches",
      param: "fabricName",
      allowed: ["fab-elsewhere"],
      appliesTo: "all",
    });
    try {
      const before = vrfPosts();
      const refused = await call(olga, "call_operation", createVrf());
      expect(textOf(refused)).toContain(
        `may only run with fabric = fab-elsewhere (constraint #${writeRule}); this call has fabric = ${fabric}`,
      );
      expect(vrfPosts()).toBe(before);

      const switchesBefore = ndRequests(world, `/api/v1/manage/fabrics/${fabric}/switches`);
      const read = await call(olga, "list_switches", { fabric });
      expect(textOf(read)).toContain("may only run with fabricName = fab-elsewhere");
      expect(ndRequests(world, `/api/v1/manage/fabrics/${fabric}/switches`)).toBe(switchesBefore);
      // Reads the rule does not name still run.
      expect((await call(olga, "list_fabrics")).isError).toBeFalsy();
    } finally {
      await removeConstraint(sql, admin, writeRule);
      await removeConstraint(sql, admin, readRule);
    }
    expect((await call(olga, "call_operation", createVrf())).isError).toBeFalsy();
  });
});

describe("approval of one exact call", () => {
  test("needs_approval → another principal approves → the same call runs once; a second use and other arguments are refused", async () => {
    await setEditMode(sql, admin, true, null);
    await addApprovalRule(sql, admin, "ndfc.createVrf");
    const approver = (await resolveApiToken(sql, world.tokens.admin!))!;
    const requester = (await resolveApiToken(sql, world.tokens.olga!))!;
    try {
      const args = createVrf();
      const mark = await lastAuditId(sql);
      const before = vrfPosts();

      const pending = await call(olga, "call_operation", args);
      expect(pending.isError).toBe(true);
      expect(textOf(pending)).toContain("ndfc.createVrf needs a human's approval before it runs.");
      const approvalId = pending.structuredContent!.approvalId as string;
      expect(approvalId).toMatch(/^[0-9a-f-]{36}$/);
      expect(vrfPosts()).toBe(before);

      // The requester cannot approve; an approver can.
      await expect(decideApproval(sql, callerFor(requester), approvalId, true)).rejects.toThrow("approvals:decide");
      await decideApproval(sql, callerFor(approver), approvalId, true);

      // Other arguments with this approval: refused, nothing sent, and the approval is not used up.
      const other = await call(olga, "call_operation", { ...createVrf(), approvalId });
      expect(textOf(other)).toContain("does not allow this call");
      expect(vrfPosts()).toBe(before);

      const approved = await call(olga, "call_operation", { ...args, approvalId });
      expect(approved.isError).toBeFalsy();
      expect(vrfPosts()).toBe(before + 1);

      const again = await call(olga, "call_operation", { ...args, approvalId });
      expect(again.isError).toBe(true);
      expect(textOf(again)).toContain("needs a human's approval");
      expect(vrfPosts()).toBe(before + 1);

      const rows = await auditSince(sql, mark);
      expect(rows.filter((r) => r.action === "approval.request").length).toBe(3);
      expect(rows.filter((r) => r.action === "approval.approve").map((r) => r.username)).toEqual(["admin"]);
      const calls = rows
        .filter((r) => r.action === "mcp.call" && r.operation_id === "ndfc.createVrf")
        .map((r) => [r.status, r.decision]);
      expect(calls).toEqual([
        ["pending", "needs_approval"],
        ["pending", "needs_approval"],
        ["pending", "allow"],
        ["ok", "allow"],
        ["pending", "needs_approval"],
      ]);
    } finally {
      await removeApprovalRule(sql, admin, "ndfc.createVrf");
    }
  });

  test("retries of a refused call reuse one pending request; the refusal links to its page; four eyes unless allowed", async () => {
    await setEditMode(sql, admin, true, null);
    await addApprovalRule(sql, admin, "ndfc.createVrf");
    const requester = (await resolveApiToken(sql, world.tokens.admin!))!;
    const adminClient = await world.connect("admin", "http");
    try {
      const args = createVrf();
      const mark = await lastAuditId(sql);
      const results = await Promise.all([1, 2, 3].map(() => call(adminClient, "call_operation", args)));
      results.push(await call(adminClient, "call_operation", args));
      const ids = new Set(results.map((r) => r.structuredContent!.approvalId as string));
      expect(ids.size).toBe(1);
      const [id] = [...ids];
      const ui = world.gw.server.ui.url.replace(/\/$/, "");
      expect(textOf(results[3]!)).toContain(`${ui}/approvals/${id}`);
      expect(textOf(results[3]!)).toContain("still waiting for a human's decision (no new request was made)");
      const rows = await auditSince(sql, mark);
      expect(rows.filter((r) => r.action === "approval.request").length).toBe(1);
      expect(rows.filter((r) => r.action === "mcp.call").length).toBe(4);
      // Other arguments are another request.
      const other = await call(adminClient, "call_operation", createVrf());
      expect(other.structuredContent!.approvalId).not.toBe(id);

      // The requester (an admin, so an approver) may not approve their own request …
      await expect(decideApproval(sql, callerFor(requester), id!, true)).rejects.toThrow("four eyes");
      // … unless the setting allows it.
      await setApprovalSettings(sql, admin, { ttlMinutes: 60, allowSelfApproval: true });
      await decideApproval(sql, callerFor(requester), id!, true);
      expect((await call(adminClient, "call_operation", { ...args, approvalId: id })).isError).toBeFalsy();
    } finally {
      await setApprovalSettings(sql, admin, { ttlMinutes: 60, allowSelfApproval: false });
      await removeApprovalRule(sql, admin, "ndfc.createVrf");
      await adminClient.close();
    }
  });

  test("a request expires after the configured time and cannot be approved then", async () => {
    await setEditMode(sql, admin, true, null);
    await addApprovalRule(sql, admin, "ndfc.createVrf");
    const approver = (await resolveApiToken(sql, world.tokens.admin!))!;
    try {
      await setApprovalSettings(sql, admin, { ttlMinutes: 1, allowSelfApproval: false });
      const args = createVrf();
      const first = await call(olga, "call_operation", args);
      const id = first.structuredContent!.approvalId as string;
      const ticket = await getApproval(sql, id);
      expect(Math.abs(ticket.expires_at.getTime() - ticket.requested_at.getTime() - 60_000)).toBeLessThan(1_000);
      await sql`update approval_requests set expires_at = now() - interval '1 second' where id = ${id}`;
      await expect(decideApproval(sql, callerFor(approver), id, true)).rejects.toThrow("has expired");
      expect((await getApproval(sql, id)).status).toBe("expired");
      // The next identical call makes a fresh request.
      const again = await call(olga, "call_operation", args);
      expect(again.structuredContent!.approvalId).not.toBe(id);
    } finally {
      await setApprovalSettings(sql, admin, { ttlMinutes: 60, allowSelfApproval: false });
      await removeApprovalRule(sql, admin, "ndfc.createVrf");
    }
  });

  test("an approval is not used up by a call refused for another reason", async () => {
    await setEditMode(sql, admin, true, null);
    await addApprovalRule(sql, admin, "ndfc.createVrf");
    const approver = (await resolveApiToken(sql, world.tokens.admin!))!;
    try {
      const args = createVrf();
      const approvalId = (await call(olga, "call_operation", args)).structuredContent!.approvalId as string;
      await decideApproval(sql, callerFor(approver), approvalId, true);
      await setEditMode(sql, admin, false, null);
      expect(textOf(await call(olga, "call_operation", { ...args, approvalId }))).toContain("edit mode is off");
      await setEditMode(sql, admin, true, null);
      const before = vrfPosts();
      expect((await call(olga, "call_operation", { ...args, approvalId })).isError).toBeFalsy();
      expect(vrfPosts()).toBe(before + 1);
    } finally {
      await removeApprovalRule(sql, admin, "ndfc.createVrf");
    }
  });
});

describe("sensitive reads", () => {
  test("are refused until whitelisted, even for an admin, and nothing reaches ND before", async () => {
    const doc = {
      openapi: "3.0.3",
      info: { title: "Nexus Dashboard infra (backups)", version: "1.0", "x-nd-api": "infra" },
      servers: [{ url: "/api/v1/infra" }],
      paths: {
        "/backups": {
          get: {
            operationId: "listBackups",
            summary: "List configuration backups",
            responses: { "200": { description: "ok" } },
          },
        },
      },
    };
    await importDocuments(sql, admin, [
      uploadInput("infra-backups.json", new TextEncoder().encode(JSON.stringify(doc))),
    ]);
    const adminClient = await world.connect("admin", "http");
    const found = await call(adminClient, "search_operations", { query: "configuration backups" });
    expect(textOf(found)).toContain("infra.listBackups");

    const refused = await call(adminClient, "call_operation", { operation: "infra.listBackups" });
    expect(textOf(refused)).toContain("infra.listBackups exposes sensitive data");
    expect(textOf(refused)).toContain("not on the operation whitelist");
    expect(ndRequests(world, "/api/v1/infra/backups")).toBe(0);

    // An operator lacks mcp:sensitive altogether.
    expect(textOf(await call(olga, "call_operation", { operation: "infra.listBackups" }))).toContain(
      "needs the mcp:sensitive permission",
    );

    await addToWhitelist(sql, admin, "infra.listBackups");
    try {
      await call(adminClient, "call_operation", { operation: "infra.listBackups" });
      expect(ndRequests(world, "/api/v1/infra/backups")).toBe(1);
    } finally {
      await removeFromWhitelist(sql, admin, "infra.listBackups");
    }
    await adminClient.close();
  });
});

describe("narrowed tokens", () => {
  async function clientWith(token: string): Promise<Client> {
    world.tokens.narrowed = token;
    return world.connect("narrowed", "http");
  }

  test("a read-only token reads, is refused every write with the token named as the reason, and sees call_operation as read-only", async () => {
    await setEditMode(sql, admin, true, null);
    const client = await clientWith(
      (await createApiToken(sql, cli, { username: "olga", name: "olga-ro", readOnly: true })).token,
    );
    expect((await call(client, "list_fabrics")).isError).toBeFalsy();
    const before = vrfPosts();
    const refused = await call(client, "call_operation", createVrf());
    expect(textOf(refused)).toContain('the API token "olga-ro" is read-only');
    expect(vrfPosts()).toBe(before);
    const tool = (await client.listTools()).tools.find((t) => t.name === "call_operation")!;
    expect(tool.annotations?.readOnlyHint).toBe(true);
    await client.close();
  });

  test("a token narrowed to other clusters cannot use this one, and is told which it may use", async () => {
    const { addCluster } = await import("../../app/clusters/clusters.ts");
    const other = await addCluster(
      sql,
      cliCaller("cli"),
      {
        name: "other",
        url: world.sim.url,
        credentials: { mode: "password", username: "admin", password: "nd-sim-password", domain: "local" },
        tls: { verify: true, caPem: world.sim.caPem },
      },
      { keyring: world.gw.server.services.keyring, urlPolicy: world.gw.server.services.urlPolicy },
    );
    const client = await clientWith(
      (await createApiToken(sql, cli, { username: "olga", name: "olga-other", clusters: [other.id] })).token,
    );
    const mark = await lastAuditId(sql);
    const refused = await call(client, "list_fabrics", { cluster: "sim" });
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toBe('unknown cluster "sim"; clusters you may use: other');
    expect(textOf(await call(client, "list_clusters"))).not.toContain("sim |");
    expect((await call(client, "list_fabrics")).isError).toBeFalsy();
    const rows = await auditSince(sql, mark);
    expect(rows[0]).toMatchObject({
      action: "mcp.call",
      status: "denied",
      decision: "deny",
      operation_id: "manage.listFabricsSummary",
    });
    await client.close();
  });
});
