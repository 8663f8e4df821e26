// error-map.ts: what a user sees of each kind of error, and what the log gets.
import { expect, test } from "bun:test";
import {
  Conflict,
  Forbidden,
  Invalid,
  NotFound,
  TooManyRequests,
  Unavailable,
  Unauthorized,
} from "../../app/errors.ts";
import {
  errorResponse,
  isDatabaseUnavailable,
  malformedHostResponse,
  rpcErrorResponse,
  safeError,
} from "../../app/http/error-map.ts";
import { parseHost, pathOf } from "../../app/http/request-host.ts";
import { createLogger } from "../../app/log.ts";

function capture() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger("info", { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

test("the domain's errors keep their status, code and message, and are not logged", () => {
  const { log, lines } = capture();
  const cases: [Error, number, string][] = [
    [new Invalid("bad input"), 400, "invalid"],
    [new Unauthorized("who?"), 401, "unauthorized"],
    [new Forbidden("no"), 403, "forbidden"],
    [new NotFound("gone"), 404, "not_found"],
    [new Conflict("taken"), 409, "conflict"],
    [new TooManyRequests("slow down", 7), 429, "rate_limited"],
    [new Unavailable("later"), 503, "unavailable"],
  ];
  for (const [err, status, code] of cases) {
    const e = safeError(err, "req-1", log);
    expect([e.status, e.code, e.message, e.unexpected]).toEqual([status, code, err.message, false]);
  }
  expect(safeError(new TooManyRequests("x", 7), "r", log).headers["retry-after"]).toBe("7");
  expect(lines).toEqual([]);
});

test("an unexpected error: a generic 500 with the request id, logged once with it; its text never reaches the user", async () => {
  const { log, lines } = capture();
  const err = new Error('relation "rate_buckets" does not exist at /opt/nexus-mcp/app/policy/rate-limit.ts:12');
  const res = errorResponse(err, "req-42", log);
  expect(res.status).toBe(500);
  const body = await res.json();
  expect(body).toEqual({
    error: {
      code: "internal",
      message: "internal error; quote request id req-42 to your administrator",
      requestId: "req-42",
    },
  });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatchObject({ level: "error", requestId: "req-42", msg: "unhandled error" });
  expect(JSON.stringify(lines[0])).toContain("rate_buckets");
});

test("a database that cannot be reached: 503 'the gateway's database is unavailable', as JSON and as JSON-RPC", async () => {
  const { log, lines } = capture();
  for (const code of ["ECONNREFUSED", "CONNECTION_ENDED", "CONNECT_TIMEOUT", "57P01", "08006"]) {
    expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code }))).toBe(true);
  }
  expect(isDatabaseUnavailable(Object.assign(new Error("x"), { code: "23505" }))).toBe(false);
  const down = Object.assign(new Error("connect ECONNREFUSED postgres://gw:secret@db/nmg"), { code: "ECONNREFUSED" });
  const rpc = rpcErrorResponse(down, "req-7", log);
  expect(rpc.status).toBe(503);
  const envelope = await rpc.json();
  expect(envelope).toMatchObject({
    jsonrpc: "2.0",
    id: null,
    error: { code: -32003, data: { requestId: "req-7", code: "unavailable" } },
  });
  expect(envelope.error.message).toBe("the gateway's database is unavailable; try again shortly (request id req-7)");
  expect(lines).toHaveLength(1);
  expect(JSON.stringify(lines)).not.toContain("secret");
});

test("Elysia's own codes (no route, unparsable body) are mapped, not passed through as plain text", () => {
  const { log, lines } = capture();
  expect(safeError(new Error("NOT_FOUND"), "r", log, "NOT_FOUND")).toMatchObject({ status: 404, code: "not_found" });
  expect(safeError(new Error("Unexpected token"), "r", log, "PARSE")).toMatchObject({ status: 400, code: "invalid" });
  expect(lines).toEqual([]);
});

test("a malformed Host gets a 400 naming the problem", async () => {
  const res = malformedHostResponse("req-9");
  expect(res.status).toBe(400);
  expect((await res.json()).error).toMatchObject({ code: "invalid", requestId: "req-9" });
});

test("Host parsing is strict: names, IPv4, [IPv6] and a port; nothing else", () => {
  expect(parseHost("Gateway.Example.NET:8444")).toEqual({ hostname: "gateway.example.net", port: 8444 });
  expect(parseHost("127.0.0.1")).toEqual({ hostname: "127.0.0.1", port: null });
  expect(parseHost("[::1]:7443")).toEqual({ hostname: "::1", port: 7443 });
  for (const bad of [
    "",
    "a b",
    "x@y",
    "x@localhost",
    "localhost:",
    "localhost:99999",
    "localhost:8a",
    "[::1",
    "::1",
    "a/b",
    "a..b",
    "-a.b",
    "a_b",
    "localhost\t",
  ]) {
    expect(parseHost(bad)).toBeNull();
  }
  expect(parseHost(null)).toBeNull();
});

test("the path of a request URL is read without trusting the URL to parse", () => {
  expect(pathOf("https://gw:8444/mcp/sse?x=1")).toBe("/mcp/sse");
  expect(pathOf("/healthz")).toBe("/healthz");
  expect(pathOf("https://gw")).toBe("/");
});
