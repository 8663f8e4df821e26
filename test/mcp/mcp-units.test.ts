/** Pure pieces of the MCP layer: argument checks, bounded body reads, audit coalescing, SSE session bookkeeping. */
import { describe, expect, test } from "bun:test";
import type { AuditEventInput } from "../../app/audit/audit-event.ts";
import { AuditCoalescer } from "../../app/mcp/audit-coalescer.ts";
import type { Tool } from "@modelcontextprotocol/server";
import { readJsonBody } from "../../app/mcp/request-body.ts";
import { SseSessions, type SseSession } from "../../app/mcp/sse-sessions.ts";
import { argumentProblem } from "../../app/mcp/tool-arguments.ts";
import { CALL_OPERATION } from "../../app/mcp/tools/call-operation.ts";
import { listSwitches as listSwitchesTool } from "../../app/mcp/tools/list-switches.ts";
import { searchOperationsTool } from "../../app/mcp/tools/search-operations.ts";

const listSwitches = listSwitchesTool.tool as Tool;
const SEARCH_OPERATIONS = searchOperationsTool.tool as Tool;

describe("tool arguments", () => {
  test("valid arguments pass; missing ones are fine when optional", () => {
    expect(argumentProblem(listSwitches, { fabric: "f1", limit: 5, fields: ["hostname"] })).toBeNull();
    expect(argumentProblem(listSwitches, {})).toBeNull();
  });

  test("unknown arguments are named with the valid ones", () => {
    expect(argumentProblem(listSwitches, { fabrik: "f1" })).toBe(
      'invalid arguments for list_switches: no argument "fabrik"; valid arguments: cluster, fabric, limit, offset, fields. tools/list shows its input schema.',
    );
  });

  test("wrong types, bounds and required arguments are each reported", () => {
    expect(argumentProblem(listSwitches, { limit: 0 })).toContain("limit must be >= 1");
    expect(argumentProblem(listSwitches, { fields: "hostname" })).toContain("fields must be array");
    expect(argumentProblem(SEARCH_OPERATIONS, {})).toContain("must have required property 'query'");
    expect(argumentProblem(CALL_OPERATION, { operation: 7 })).toContain("operation must be string");
  });
});

function requestWith(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request("http://x/mcp", { method: "POST", body, headers });
}

describe("request body", () => {
  test("JSON within the limit is parsed", async () => {
    expect(await readJsonBody(requestWith('{"a":1}'), 100)).toEqual({ json: { a: 1 } });
  });

  test("a declared length over the limit is refused before reading", async () => {
    expect(await readJsonBody(requestWith("{}", { "content-length": "101" }), 100)).toEqual({ problem: "too-large" });
  });

  test("an undeclared (streamed) body is cut off as soon as it passes the limit", async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++;
        if (pulled > 1000) controller.close();
        else controller.enqueue(new Uint8Array(64).fill(32));
      },
    });
    expect(await readJsonBody(requestWith(stream), 200)).toEqual({ problem: "too-large" });
    expect(pulled).toBeLessThan(10);
  });

  test("not JSON is named as such", async () => {
    expect(await readJsonBody(requestWith("{nope"), 100)).toEqual({ problem: "not-json" });
  });
});

describe("audit coalescer", () => {
  const event = (n: number): AuditEventInput => ({ action: "mcp.rate_limit", status: "denied", details: { n } });

  test("the first refusal is written at once; repeats within the window become one summary with their count", async () => {
    const written: AuditEventInput[] = [];
    const c = new AuditCoalescer(
      async (e) => void written.push(e),
      () => {},
      50,
    );
    c.record("k", event(1));
    c.record("k", event(2));
    c.record("k", event(3));
    c.record("other", event(4));
    await Bun.sleep(0);
    expect(written.map((e) => e.details?.n)).toEqual([1, 4]);
    await Bun.sleep(80);
    expect(written.length).toBe(3);
    expect(written[2]!.details).toMatchObject({ n: 1, repeated: 2, windowMs: 50 });
    c.record("k", event(5));
    await Bun.sleep(0);
    expect(written.at(-1)!.details).toEqual({ n: 5 });
  });

  test("close() writes pending summaries; a failing write is reported, not thrown", async () => {
    const errors: unknown[] = [];
    let fail = false;
    const written: AuditEventInput[] = [];
    const c = new AuditCoalescer(
      async (e) => {
        if (fail) throw new Error("db down");
        written.push(e);
      },
      (err) => errors.push(err),
      60_000,
    );
    c.record("k", event(1));
    c.record("k", event(2));
    fail = true;
    await c.close();
    expect(written.length).toBe(1);
    expect((errors[0] as Error).message).toBe("db down");
  });
});

describe("SSE sessions", () => {
  function fakeSession(userId: string, now: number, credential = "c"): SseSession & { closed: boolean } {
    const s = {
      closed: false,
      transport: {
        sessionId: crypto.randomUUID(),
        isClosed: false,
        onclose: undefined as undefined | (() => void),
        async close() {
          if (s.closed) return;
          s.closed = true;
          s.transport.onclose?.();
        },
      },
      server: {},
      userId,
      credential,
      openedAt: now,
      lastSeen: now,
      messages: 0,
    };
    return s as never;
  }

  test("unused and idle sessions are swept; used, fresh ones stay", () => {
    let now = 1_000;
    const sessions = new SseSessions({ perUser: 5, idleMs: 1_000, unusedMs: 300, sweepMs: 60_000 }, () => now);
    const unused = fakeSession("u", now);
    const active = fakeSession("u", now);
    sessions.add(unused);
    sessions.add(active);
    sessions.touch(active);
    now += 500;
    sessions.sweep(now);
    expect([unused.closed, active.closed]).toEqual([true, false]);
    now += 1_001;
    sessions.sweep(now);
    expect(active.closed).toBe(true);
    expect(sessions.size).toBe(0);
    void sessions.closeAll();
  });

  test("the cap closes the user's least recently used session only", () => {
    let now = 0;
    const sessions = new SseSessions({ perUser: 2, idleMs: 60_000, unusedMs: 60_000, sweepMs: 60_000 }, () => now);
    const [a, b, c] = [fakeSession("u", now++), fakeSession("u", now++), fakeSession("u", now++)];
    const other = fakeSession("w", now++);
    sessions.add(a);
    sessions.add(b);
    sessions.add(other);
    now = 100;
    sessions.touch(a);
    sessions.add(c);
    expect([a.closed, b.closed, c.closed, other.closed]).toEqual([false, true, false, false]);
    expect(sessions.countFor("u")).toBe(2);
    void sessions.closeAll();
  });

  test("a session is found only by its own user and credential, and a refused credential closes only the session it opened", () => {
    const sessions = new SseSessions({ perUser: 5, idleMs: 60_000, unusedMs: 60_000, sweepMs: 60_000 });
    const s = fakeSession("u", Date.now(), "cred-1");
    sessions.add(s);
    expect(sessions.get(s.transport.sessionId, "someone-else", "cred-1")).toBeUndefined();
    expect(sessions.get(s.transport.sessionId, "u", "cred-2")).toBeUndefined();
    expect(sessions.get(s.transport.sessionId, "u", "cred-1")).toBe(s);
    expect(sessions.closeIfOpenedBy(s.transport.sessionId, "cred-2")).toBe(false);
    expect(s.closed).toBe(false);
    expect(sessions.closeIfOpenedBy(s.transport.sessionId, "cred-1")).toBe(true);
    expect(s.closed).toBe(true);
    void sessions.closeAll();
  });
});
