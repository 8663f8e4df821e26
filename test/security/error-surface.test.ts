/**
 * Errors through the real HTTPS surface: malformed requests get a 400 with the security headers
 * before anything else runs; a database outage reaches MCP clients as a JSON-RPC error and
 * browsers as a page, both with the request id and never a stack, an SQL text or a path of the
 * machine. (The suite runs with NODE_ENV=test, where Bun would serve its development error page
 * if an error escaped: these tests also show that none does.)
 */
import { afterAll, describe, expect, test } from "bun:test";
import { connect } from "node:tls";
import { createApiToken } from "../../app/identity/api-tokens.ts";
import { sessionCookie } from "../../app/identity/session-cookie.ts";
import { DEFAULT_SESSION_SETTINGS, startSession } from "../../app/identity/sessions.ts";
import { cliCaller } from "../support/callers.ts";
import { startTestServer, type TestServer } from "../support/server.ts";

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** One HTTP/1.1 request written by hand, so the Host header is exactly what we say. */
function rawRequest(url: string, host: string, path = "/healthz", extra = ""): Promise<RawResponse> {
  const port = Number(new URL(url).port);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, rejectUnauthorized: false }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\n${extra}Connection: close\r\n\r\n`);
    });
    let text = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk) => (text += chunk));
    socket.on("error", reject);
    socket.on("end", () => {
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((l) => [l.slice(0, l.indexOf(":")).toLowerCase(), l.slice(l.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
  });
}

/** Nothing a user should never see: stack frames, source paths, SQL, driver codes. */
function expectSafe(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+/);
  expect(text).not.toContain("/work/");
  expect(text).not.toContain(process.cwd());
  expect(text).not.toMatch(/\.ts\b/);
  expect(text).not.toMatch(/select |relation "|CONNECTION_|ECONNREFUSED/i);
}

const gw: TestServer = await startTestServer();
afterAll(() => gw.stop());

describe("a malformed Host header is refused with 400 before routing, on both listeners", () => {
  for (const host of ["a b", "", "x@y", "x@localhost", "localhost:99999", "local/host", "[::1"]) {
    test(JSON.stringify(host), async () => {
      for (const url of [gw.server.ui.url, gw.server.api.url]) {
        const res = await rawRequest(url, host, url === gw.server.api.url ? "/mcp" : "/healthz");
        expect(res.status).toBe(400);
        expect(res.headers["strict-transport-security"]).toContain("max-age=");
        expect(res.headers["x-content-type-options"]).toBe("nosniff");
        expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
        const body = JSON.parse(res.body);
        expect(body.error.message).toContain("malformed Host header");
        expect(body.error.requestId).toBe(res.headers["x-request-id"]);
        expectSafe(res.body);
      }
    });
  }

  test("well-formed hosts still pass (name, name:port, IPv4, [IPv6])", async () => {
    for (const host of ["localhost", "localhost:8444", "127.0.0.1", "[::1]:7443"]) {
      expect((await rawRequest(gw.server.ui.url, host)).status).toBe(200);
    }
  });
});

describe("errors outside a route's own handling are mapped in one place", () => {
  test("an unknown API path answers JSON with the request id; an unknown MCP path a JSON-RPC error", async () => {
    const plain = await gw.fetchApi("/no-such-route");
    expect(plain.status).toBe(404);
    const body = await plain.json();
    expect(body.error).toMatchObject({ code: "not_found", requestId: plain.headers.get("x-request-id") });
    const rpc = await gw.fetchApi("/mcp/no-such-endpoint", { headers: { host: "localhost" } });
    expect(rpc.status).toBe(404);
    const envelope = await rpc.json();
    expect(envelope).toMatchObject({
      jsonrpc: "2.0",
      id: null,
      error: { data: { requestId: rpc.headers.get("x-request-id") } },
    });
  });

  test("an unknown UI path is a page with the request id, not Elysia's plain text", async () => {
    const res = await gw.fetchUi("/no-such-page/at/all");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    const text = await res.text();
    expect(text).toContain(res.headers.get("x-request-id")!);
    expect(text).not.toContain("NOT_FOUND");
  });
});

describe("the database goes away", () => {
  test("MCP: a JSON-RPC error saying the gateway's database is unavailable, with the request id; UI: a page saying so", async () => {
    const dbDown = await startTestServer();
    try {
      const token = await createApiToken(dbDown.server.db.sql, cliCaller("admin"), {
        username: await adminName(dbDown),
        name: "outage",
      });
      const cookie = await createSession(dbDown);
      await dbDown.server.db.sql.end({ timeout: 1 });

      const res = await dbDown.fetchApi("/mcp", {
        method: "POST",
        headers: {
          host: "localhost",
          authorization: `Bearer ${token.token}`,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      const text = await res.text();
      expect(res.status).toBe(503);
      const envelope = JSON.parse(text);
      expect(envelope.jsonrpc).toBe("2.0");
      expect(envelope.error.message).toContain("the gateway's database is unavailable");
      expect(envelope.error.data.requestId).toBe(res.headers.get("x-request-id"));
      expect(envelope.error.message).toContain(res.headers.get("x-request-id")!);
      expectSafe(text);

      const page = await dbDown.fetchUi("/", { headers: { cookie } });
      const html = await page.text();
      expect(page.status).toBe(503);
      expect(html).toContain("database is unavailable");
      expect(html).toContain(page.headers.get("x-request-id")!);
      expectSafe(html);
    } finally {
      await dbDown.stop().catch(() => {});
    }
  });
});

async function firstAdmin(s: TestServer): Promise<{ id: string; username: string }> {
  const [row] = await s.server.db.sql<
    { id: string; username: string }[]
  >`select id::text, username from users where kind = 'person' order by created_at limit 1`;
  return row!;
}

async function adminName(s: TestServer): Promise<string> {
  return (await firstAdmin(s)).username;
}

/** A signed-in browser: a session of the first admin, as its cookie header. */
async function createSession(s: TestServer): Promise<string> {
  const session = await startSession(
    s.server.db.sql,
    { userId: (await firstAdmin(s)).id, now: new Date() },
    DEFAULT_SESSION_SETTINGS,
  );
  return sessionCookie(session.token).split(";")[0]!;
}
