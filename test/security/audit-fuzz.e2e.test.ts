/**
 * Fuzz property of the audit log, through the real MCP surface: whatever string a client puts in
 * any field that reaches an audit row — a body value or key, a path parameter, the operation id,
 * the cluster name, the client name from `initialize` — the call leaves exactly one readable audit
 * row (two for a write: intent and outcome), the chain still verifies, and what Nexus Dashboard
 * received equals what the row says (characters PostgreSQL refuses are shown as visible escapes
 * and the row says so in `details._normalised`). Seeded, bounded: a few seconds.
 */
import { cliCaller } from "../support/callers.ts";
import { afterAll, expect, test } from "bun:test";
import { normaliseText } from "../../app/audit/audit-normalise.ts";
import { verifyAuditChain } from "../../app/audit/audit-verify.ts";
import { setEditMode } from "../../app/policy/policy-settings.ts";
import { startMcpWorld } from "../support/mcp-world.ts";
import { auditSince, lastAuditId, type AuditRow } from "../mcp/mcp-test-kit.ts";

const world = await startMcpWorld();
afterAll(() => world.stop());
const sql = world.gw.db.sql;
await setEditMode(sql, cliCaller("admin"), true, null);

// Hostile pieces; letters limited to a, z so no generated text looks like a credential (which
// redaction would rightly mask) and the comparison stays exact.
const PIECES = [
  "\u0000",
  "\ud800",
  "\udfff",
  "\ud83d\ude00",
  "\u001b[31m",
  "\r",
  "\n",
  "\u0007",
  "\u009b",
  "\u007f",
  "\u2028",
  "a",
  "z",
  "1",
  '"',
  "\\",
  "'",
  "=",
  "é",
  " ",
  "<",
  "%",
  "\\u0000",
  "__proto__",
  "{}",
];
let seed = 12_345;
const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
const fuzz = (max = 12) =>
  Array.from({ length: 1 + Math.floor(next() * max) }, () => PIECES[Math.floor(next() * PIECES.length)]!).join("");

function deepNormalise(value: unknown): unknown {
  if (typeof value === "string") return normaliseText(value);
  if (Array.isArray(value)) return value.map(deepNormalise);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, normaliseText(k), { value: deepNormalise(v), enumerable: true });
    return out;
  }
  return value;
}
const hasRefused = (s: string) => normaliseText(s) !== s;

let rpcId = 0;
async function rpc(token: string, method: string, params: unknown): Promise<Record<string, unknown>> {
  const res = await world.gw.fetchApi("/mcp", {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      host: "localhost",
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-11-25",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method, params }),
  });
  expect(res.status).toBeLessThan(500);
  const text = await res.text();
  const data = text.startsWith("{") ? text : (/^data: ([^\n]*)$/m.exec(text)?.[1] ?? "{}");
  return JSON.parse(data);
}
const callTool = (token: string, name: string, args: Record<string, unknown>) =>
  rpc(token, "tools/call", { name, arguments: args });

async function rowsOf(mark: string): Promise<AuditRow[]> {
  return (await auditSince(sql, mark)).filter((r) => r.action === "mcp.call");
}

test("fuzzed body keys and values of a write: two rows, and the row shows exactly what ND received", async () => {
  const token = world.tokens.admin!;
  const fabric = "fab-a";
  let compared = 0;
  for (let i = 0; i < 25; i++) {
    const key = next() < 0.3 ? "__proto__" : fuzz(6);
    const body = {
      fabric,
      vrfName: `v${i}`,
      vrfId: 60_000 + i,
      [key]: fuzz(),
      note: fuzz(20),
      list: [fuzz(), { [fuzz(4)]: fuzz() }],
    };
    if (key === "__proto__") Object.defineProperty(body, "__proto__", { value: fuzz(), enumerable: true });
    const before = world.sim.requestLog.all().at(-1)?.seq ?? 0;
    const mark = await lastAuditId(sql);
    await callTool(token, "call_operation", { operation: "ndfc.createVrf", cluster: "sim", params: { fabric }, body });
    const rows = await rowsOf(mark);
    expect(rows.map((r) => r.details.phase)).toEqual(["intent", "outcome"]);
    const reached = world.sim.requestLog
      .all()
      .filter((e) => e.seq > before && e.method === "POST" && e.path.includes("/vrfs"));
    if (reached.length) {
      const received = JSON.parse(reached[0]!.body!);
      for (const row of rows) expect(row.details.body).toEqual(deepNormalise(received));
      compared++;
    }
    const refused = JSON.stringify(body) !== JSON.stringify(deepNormalise(body));
    for (const row of rows) expect(row.details._normalised !== undefined).toBe(refused);
  }
  expect(compared).toBe(25);
});

test("fuzzed path parameter, operation id and cluster name: exactly one readable row each", async () => {
  const token = world.tokens.vera!;
  for (let i = 0; i < 20; i++) {
    const value = fuzz();
    for (const args of [
      { operation: "ndfc.listVrfs", cluster: "sim", params: { fabric: value } },
      { operation: value, cluster: "sim" },
      { operation: "manage.listFabrics", cluster: value },
    ]) {
      const mark = await lastAuditId(sql);
      const answer = await callTool(token, "call_operation", args);
      expect(answer.result ?? answer.error).toBeDefined();
      const rows = await rowsOf(mark);
      expect(rows).toHaveLength(1);
      const row = rows[0]!;
      if (args.params) expect(row.details.params).toEqual({ fabric: normaliseText(value) });
      // Refused by the argument schema before the call path: no operation id; otherwise it is the one sent.
      else if (args.operation === value && row.operation_id !== null)
        expect(row.operation_id).toBe(normaliseText(value));
      if (hasRefused(value)) expect(row.details._normalised).toBeDefined();
    }
  }
});

test("a fuzzed client name from initialize never breaks the token's later calls", async () => {
  const token = world.tokens.olga!;
  for (let i = 0; i < 15; i++) {
    const name = fuzz();
    await rpc(token, "initialize", {
      protocolVersion: "2025-11-25",
      capabilities: {},
      clientInfo: { name, version: fuzz(4) },
    });
    const mark = await lastAuditId(sql);
    const answer = await callTool(token, "list_fabrics", { cluster: "sim" });
    expect((answer.result as { isError?: boolean }).isError).toBeFalsy();
    expect(await rowsOf(mark)).toHaveLength(1);
  }
});

test("the chain verifies after all of it", async () => {
  const report = await verifyAuditChain(sql);
  expect(report.ok).toBe(true);
});
