/**
 * MCP over HTTPS: Streamable HTTP at /mcp (2025-11-25 and 2026-07-28 through the SDK's
 * web-standard handler) and legacy HTTP+SSE at /mcp/sse + /mcp/messages.
 *
 * Guarantees: every request passes admission first (mcp-admission.ts: Host/Origin, bearer
 * credential, rate limit — the browser session cookie is never looked at here); then the body
 * size limit (413, enforced while reading) and JSON-RPC validation, whose refusals are audited
 * for the admitted caller (coalesced like admission's). An SSE session only accepts
 * messages from the user who opened it, its responses go only to its own stream, and a refused
 * credential (e.g. revoked mid-session) also ends the stream it opened. `close()` ends every
 * stream cleanly so shutdown never waits on an idle client.
 */
import {
  createMcpHandler,
  isJSONRPCNotification,
  isJSONRPCRequest,
  isJSONRPCResponse,
  type JSONRPCMessage,
} from "@modelcontextprotocol/server";
import { Elysia } from "elysia";
import { recordAudit } from "../audit/audit-log.ts";
import { safeDbError } from "../db.ts";
import { disableIdleTimeout } from "../http/request-meta.ts";
import type { Logger } from "../log.ts";
import { AuditCoalescer } from "./audit-coalescer.ts";
import { createAdmission, credentialKey, rpcError, type Admitted, type Authenticate } from "./mcp-admission.ts";
import type { McpDeps } from "./mcp-deps.ts";
import { createMcpServer } from "./mcp-server.ts";
import type { Caller } from "../identity/caller.ts";
import { MAX_JSON_DEPTH, readJsonBody } from "./request-body.ts";
import { SseSessions } from "./sse-sessions.ts";
import { SseServerTransport } from "./sse-transport.ts";
import { InFlight } from "./in-flight.ts";

export interface McpLimits {
  maxBody: number;
  ratePerSec: number;
  rateBurst: number;
  ssePerUser: number;
  sseIdleMs: number;
  /** An SSE stream that never receives a message is closed after this long (default 60 s). */
  sseUnusedMs?: number;
  /** Comment keep-alives on SSE streams (default 15 s; below every idle timeout on the path). */
  keepAliveMs?: number;
}

export interface McpRouteDeps {
  mcp: McpDeps;
  authenticate: Authenticate;
  /** Host names (no port) clients may use; Host and Origin are checked against them. */
  allowedHosts: ReadonlySet<string>;
  limits: McpLimits;
  log: Logger;
}

/**
 * Bun sends a streamed response's headers only with its first body chunk, so a client waiting
 * for a slow tool call's SSE response would see nothing — not even the status — until the
 * result (and an HTTP client's header timeout could fire first). A comment chunk at once flushes
 * the headers; SSE clients ignore comments.
 */
function primed(response: Response, done: () => void): Response {
  if (!response.body || !response.headers.get("content-type")?.startsWith("text/event-stream")) {
    done();
    return response;
  }
  const opening = new TextEncoder().encode(": open\n\n");
  // The call is in flight until its SSE body ends (the result is its last event).
  const body = response.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      start: (c) => c.enqueue(opening),
      flush: () => done(),
      cancel: () => done(),
    } as Transformer<Uint8Array, Uint8Array>),
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

const SHUTTING_DOWN = "the gateway is shutting down; send the request again in a few seconds";

const SSE_HEADERS = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

export function mcpRoutes(deps: McpRouteDeps) {
  const keepAliveMs = deps.limits.keepAliveMs ?? 15_000;
  const sessions = new SseSessions({
    perUser: deps.limits.ssePerUser,
    idleMs: deps.limits.sseIdleMs,
    unusedMs: deps.limits.sseUnusedMs ?? 60_000,
  });
  const coalescer = new AuditCoalescer(
    (e) => recordAudit(deps.mcp.sql, e),
    (err) => deps.log.error({ err: safeDbError(err) }, "audit event of a refused MCP request could not be written"),
  );
  const admit = createAdmission({
    sql: deps.mcp.sql,
    authenticate: deps.authenticate,
    allowedHosts: deps.allowedHosts,
    ratePerSec: deps.limits.ratePerSec,
    rateBurst: deps.limits.rateBurst,
    coalescer,
  });
  const streamable = createMcpHandler(() => createMcpServer(deps.mcp), {
    legacy: "stateless",
    maxRequestBodySize: deps.limits.maxBody,
    keepAliveMs,
    onerror: (err) => deps.log.warn({ error: err.message }, "mcp handler error"),
  });

  // Stateless 2025-era clients name themselves only in `initialize`; remember the name per
  // credential (on this node) so later calls are audited with it. Bounded; best effort.
  const clientNames = new Map<string, string>();
  const rememberClient = (key: string, name: string) => {
    clientNames.delete(key);
    clientNames.set(key, name);
    if (clientNames.size > 10_000) clientNames.delete(clientNames.keys().next().value!);
  };

  /** The one JSON-RPC message of a POST; a refusal is audited (coalesced) for the admitted caller. */
  async function readMessage(request: Request, admitted: Admitted): Promise<JSONRPCMessage | Response> {
    const refuse = (status: number, code: number, message: string) => {
      coalescer.record(`body:${admitted.credential}:${code}:${status}`, {
        action: "mcp.request",
        status: "failed",
        error: message,
        caller: admitted,
        details: { path: new URL(request.url).pathname },
      });
      return rpcError(status, code, message);
    };
    const body = await readJsonBody(request, deps.limits.maxBody);
    if ("problem" in body) {
      if (body.problem === "too-large")
        return refuse(413, -32600, `request body too large (limit ${deps.limits.maxBody} bytes)`);
      if (body.problem === "too-deep")
        return refuse(
          400,
          -32600,
          `invalid request: objects and arrays nested more than ${MAX_JSON_DEPTH} levels deep; flatten the arguments`,
        );
      return refuse(400, -32700, "parse error: the body is not valid JSON");
    }
    if (Array.isArray(body.json))
      return refuse(400, -32600, "batch requests are not supported; send one JSON-RPC message per request");
    const message = body.json as JSONRPCMessage;
    if (!isJSONRPCRequest(message) && !isJSONRPCNotification(message) && !isJSONRPCResponse(message)) {
      return refuse(400, -32600, "invalid request: not a JSON-RPC 2.0 message");
    }
    return message;
  }

  function clientName(message: unknown): string | undefined {
    const params = (
      message as { params?: { clientInfo?: { name?: string; version?: string }; _meta?: Record<string, unknown> } }
    )?.params;
    const info =
      params?.clientInfo ??
      (params?._meta?.["io.modelcontextprotocol/clientInfo"] as { name?: string; version?: string } | undefined);
    return info?.name ? `${info.name}/${info.version ?? "?"}` : undefined;
  }

  function authInfo(admitted: Admitted) {
    const session: Caller = {
      principal: admitted.principal,
      actor: admitted.actor,
      requestId: admitted.requestId,
      now: admitted.now,
    };
    return { token: "<redacted>", clientId: admitted.principal.username, scopes: [], extra: { session } };
  }

  // Shutdown: new requests are refused (503) while those in flight finish, on both transports.
  const inFlight = new InFlight();
  let draining = false;
  const refuseWhileDraining = () => {
    const res = rpcError(503, -32000, SHUTTING_DOWN);
    res.headers.set("retry-after", "5");
    return res;
  };

  async function handleStreamable(request: Request): Promise<Response> {
    if (draining && request.method !== "POST") return refuseWhileDraining();
    const admitted = await admit(request);
    if ("refused" in admitted) return admitted.refused;
    if (request.method !== "POST") return streamable.fetch(request, { authInfo: authInfo(admitted) });
    const message = await readMessage(request, admitted);
    if (message instanceof Response) return message;
    if (draining && isJSONRPCRequest(message)) return refuseWhileDraining();
    const done = inFlight.begin();
    request.signal.addEventListener("abort", done);
    try {
      return await answerStreamable(request, admitted, message, done);
    } catch (err) {
      done();
      throw err;
    }
  }

  async function answerStreamable(
    request: Request,
    admitted: Admitted,
    message: JSONRPCMessage,
    done: () => void,
  ): Promise<Response> {
    const key = credentialKey(admitted.principal);
    const name = clientName(message);
    if (name) rememberClient(key, name);
    admitted.actor.userAgent = clientNames.get(key) ?? admitted.actor.userAgent;
    disableIdleTimeout(request);
    return primed(await streamable.fetch(request, { authInfo: authInfo(admitted), parsedBody: message }), done);
  }

  async function openSse(request: Request): Promise<Response> {
    if (draining) return refuseWhileDraining();
    const admitted = await admit(request);
    if ("refused" in admitted) return admitted.refused;
    const transport = new SseServerTransport("/mcp/messages", keepAliveMs);
    const server = createMcpServer(deps.mcp);
    await server.connect(transport);
    const now = Date.now();
    sessions.add({
      transport,
      server,
      userId: admitted.principal.userId,
      credential: admitted.credential,
      openedAt: now,
      lastSeen: now,
      messages: 0,
    });
    request.signal.addEventListener("abort", () => void transport.close());
    disableIdleTimeout(request);
    return new Response(transport.stream, { headers: SSE_HEADERS });
  }

  async function postMessage(request: Request): Promise<Response> {
    const sessionId = new URL(request.url).searchParams.get("sessionId") ?? "";
    const admitted = await admit(request);
    if ("refused" in admitted) {
      if (admitted.credential && admitted.refused.status === 401)
        sessions.closeIfOpenedBy(sessionId, admitted.credential);
      return admitted.refused;
    }
    const session = sessions.get(sessionId, admitted.principal.userId, admitted.credential);
    if (!session || session.transport.isClosed)
      return rpcError(404, -32001, "unknown SSE session; open a new one with GET /mcp/sse");
    const message = await readMessage(request, admitted);
    if (message instanceof Response) return message;
    if (draining && isJSONRPCRequest(message)) return refuseWhileDraining();
    const name = clientName(message);
    if (name) session.clientName = name;
    admitted.actor.userAgent = session.clientName ?? admitted.actor.userAgent;
    sessions.touch(session);
    session.transport.receive(message, { authInfo: authInfo(admitted) } as never, () => inFlight.begin());
    return new Response(null, { status: 202 });
  }

  const app = new Elysia({ name: "mcp" })
    .post("/mcp", ({ request }) => handleStreamable(request), { parse: "none" })
    .get("/mcp", ({ request }) => handleStreamable(request))
    .delete("/mcp", ({ request }) => handleStreamable(request))
    .get("/mcp/sse", ({ request }) => openSse(request))
    .post(
      "/mcp/sse",
      () => rpcError(405, -32000, "POST to /mcp/sse is not supported; use /mcp (Streamable HTTP) or /mcp/messages"),
      { parse: "none" },
    )
    .post("/mcp/messages", ({ request }) => postMessage(request), { parse: "none" });

  return {
    app,
    sessions,
    inFlight,
    /**
     * Graceful stop, drain first: refuse new requests, let those in flight on both transports
     * finish (until `deadline`, epoch ms), then close the streams. True if all finished.
     */
    async drain(deadline: number): Promise<boolean> {
      draining = true;
      const finished = await inFlight.idle(deadline);
      await this.close();
      return finished;
    },
    async close() {
      await sessions.closeAll();
      await streamable.close();
      await coalescer.close();
    },
  };
}
