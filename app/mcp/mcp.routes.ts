/**
 * MCP over HTTPS: Streamable HTTP at /mcp (2025-11-25 and 2026-07-28 through the SDK's
 * web-standard handler) and legacy HTTP+SSE at /mcp/sse + /mcp/messages.
 *
 * Guarantees, in the order they are checked on every request: Host and Origin must be on the
 * allow-list (403); a bearer API token must resolve to an active user (401 with
 * WWW-Authenticate) — the browser session cookie is never looked at here; the token's rate
 * limit (429 with a JSON-RPC error the model can read); the body size limit (413); then
 * JSON-RPC validation. An SSE session only accepts messages from the user who opened it, and
 * its responses go only to its own stream.
 */
import { createMcpHandler, isJSONRPCNotification, isJSONRPCRequest, isJSONRPCResponse, type JSONRPCMessage } from "@modelcontextprotocol/server";
import { Elysia } from "elysia";
import type { AuditActor } from "../audit/audit-event.ts";
import { disableIdleTimeout, requestMeta } from "../http/request-meta.ts";
import type { Principal } from "../identity/principal.ts";
import type { Logger } from "../log.ts";
import { takeToken } from "../policy/rate-limit.ts";
import type { McpDeps } from "./mcp-deps.ts";
import { createMcpServer, type SessionInfo } from "./mcp-server.ts";
import { SseSessions } from "./sse-sessions.ts";
import { SseServerTransport } from "./sse-transport.ts";

export interface McpRouteDeps {
  mcp: McpDeps;
  authenticate(bearer: string, clientIp: string): Promise<Principal | null>;
  /** Host names (no port) clients may use; Host and Origin are checked against them. */
  allowedHosts: ReadonlySet<string>;
  limits: { maxBody: number; ratePerSec: number; rateBurst: number; ssePerUser: number; sseIdleMs: number; keepAliveMs?: number };
  log: Logger;
}

const JSON_HEADERS = { "content-type": "application/json" };

function rpcError(status: number, code: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code, message } }), { status, headers: { ...JSON_HEADERS, ...headers } });
}

function hostOf(value: string): string {
  try {
    return new URL(value.includes("://") ? value : `https://${value}`).hostname.replace(/^\[|\]$/g, "").toLowerCase();
  } catch {
    return "";
  }
}

type Checked = { principal: Principal; actor: AuditActor; requestId: string } | Response;

export function mcpRoutes(deps: McpRouteDeps) {
  const sessions = new SseSessions({ perUser: deps.limits.ssePerUser, idleMs: deps.limits.sseIdleMs, unusedMs: 60_000 });
  const streamable = createMcpHandler(() => createMcpServer(deps.mcp), {
    legacy: "stateless",
    maxRequestBodySize: deps.limits.maxBody,
    keepAliveMs: deps.limits.keepAliveMs ?? 15_000,
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
  const credentialKey = (p: Principal) => (p.token ? `token:${p.token.id}` : `user:${p.userId}`);

  async function admit(request: Request): Promise<Checked> {
    const host = hostOf(request.headers.get("host") ?? "");
    const origin = request.headers.get("origin");
    if (!deps.allowedHosts.has(host) || (origin && !deps.allowedHosts.has(hostOf(origin)))) {
      return rpcError(403, -32000, "forbidden: Host or Origin is not one this gateway serves; add it to PUBLIC_HOSTNAMES");
    }
    const auth = request.headers.get("authorization") ?? "";
    const bearer = /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
    const { clientIp, requestId } = requestMeta(request);
    const principal = bearer ? await deps.authenticate(bearer, clientIp) : null;
    if (!principal) {
      const why = bearer ? "the API token is invalid, expired or revoked" : "an API token is required (Authorization: Bearer nmg_…)";
      return rpcError(401, -32001, `unauthorized: ${why}; create a token in the gateway UI or with: bun run cli token create`, {
        "www-authenticate": `Bearer realm="nexus-mcp-gateway"${bearer ? ', error="invalid_token"' : ""}`,
      });
    }
    const key = principal.token ? `token:${principal.token.id}` : `user:${principal.userId}`;
    const rate = await takeToken(deps.mcp.sql, key, deps.limits.ratePerSec, deps.limits.rateBurst);
    if (!rate.allowed) {
      return rpcError(429, -32029, `rate limit: more than ${deps.limits.ratePerSec} requests per second with this token; wait ${rate.retryAfterSeconds} s and retry`, {
        "retry-after": String(rate.retryAfterSeconds),
      });
    }
    const actor: AuditActor = {
      userId: principal.userId, username: principal.username, via: principal.via,
      tokenName: principal.token?.name ?? null, clientIp, userAgent: request.headers.get("user-agent"),
    };
    return { principal, actor, requestId };
  }

  /** Reads at most maxBody bytes; a larger body is refused without being buffered. */
  async function readJson(request: Request): Promise<unknown | Response> {
    const declared = Number(request.headers.get("content-length") ?? "0");
    if (declared > deps.limits.maxBody) return rpcError(413, -32600, `request body too large (limit ${deps.limits.maxBody} bytes)`);
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.length > deps.limits.maxBody) return rpcError(413, -32600, `request body too large (limit ${deps.limits.maxBody} bytes)`);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return rpcError(400, -32700, "parse error: the body is not valid JSON");
    }
  }

  function clientName(body: unknown): string | undefined {
    const params = (body as { params?: { clientInfo?: { name?: string; version?: string }; _meta?: Record<string, unknown> } })?.params;
    const info = params?.clientInfo ?? (params?._meta?.["io.modelcontextprotocol/clientInfo"] as { name?: string; version?: string } | undefined);
    return info?.name ? `${info.name}/${info.version ?? "?"}` : undefined;
  }

  function authInfo(session: SessionInfo) {
    return { token: "<redacted>", clientId: session.principal.username, scopes: [], extra: { session } };
  }

  async function handleStreamable(request: Request): Promise<Response> {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    if (request.method !== "POST") return streamable.fetch(request, { authInfo: authInfo(admitted) });
    const body = await readJson(request);
    if (body instanceof Response) return body;
    if (Array.isArray(body)) return rpcError(400, -32600, "batch requests are not supported; send one JSON-RPC message per request");
    const name = clientName(body);
    if (name) rememberClient(credentialKey(admitted.principal), name);
    admitted.actor.userAgent = clientNames.get(credentialKey(admitted.principal)) ?? admitted.actor.userAgent;
    disableIdleTimeout(request);
    return streamable.fetch(request, { authInfo: authInfo(admitted), parsedBody: body });
  }

  async function openSse(request: Request): Promise<Response> {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    const transport = new SseServerTransport("/mcp/messages", deps.limits.keepAliveMs ?? 15_000);
    const server = createMcpServer(deps.mcp);
    await server.connect(transport);
    const now = Date.now();
    sessions.add({ transport, server, userId: admitted.principal.userId, openedAt: now, lastSeen: now, messages: 0 });
    request.signal.addEventListener("abort", () => void transport.close());
    disableIdleTimeout(request);
    return new Response(transport.stream, {
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache, no-transform", connection: "keep-alive", "x-accel-buffering": "no" },
    });
  }

  async function postMessage(request: Request): Promise<Response> {
    const admitted = await admit(request);
    if (admitted instanceof Response) return admitted;
    const sessionId = new URL(request.url).searchParams.get("sessionId") ?? "";
    const session = sessions.get(sessionId, admitted.principal.userId);
    if (!session || session.transport.isClosed) return rpcError(404, -32001, "unknown SSE session; open a new one with GET /mcp/sse");
    const body = await readJson(request);
    if (body instanceof Response) return body;
    if (Array.isArray(body)) return rpcError(400, -32600, "batch requests are not supported; send one JSON-RPC message per request");
    const message = body as JSONRPCMessage;
    if (!isJSONRPCRequest(message) && !isJSONRPCNotification(message) && !isJSONRPCResponse(message)) {
      return rpcError(400, -32600, "invalid request: not a JSON-RPC 2.0 message");
    }
    const name = clientName(body);
    if (name) session.clientName = name;
    admitted.actor.userAgent = session.clientName ?? admitted.actor.userAgent;
    sessions.touch(session);
    session.transport.receive(message, { authInfo: authInfo(admitted) } as never);
    return new Response(null, { status: 202 });
  }

  const app = new Elysia({ name: "mcp" })
    .post("/mcp", ({ request }) => handleStreamable(request), { parse: "none" })
    .get("/mcp", ({ request }) => handleStreamable(request))
    .delete("/mcp", ({ request }) => handleStreamable(request))
    .get("/mcp/sse", ({ request }) => openSse(request))
    .post("/mcp/sse", () => rpcError(405, -32000, "POST to /mcp/sse is not supported; use /mcp (Streamable HTTP) or /mcp/messages"), { parse: "none" })
    .post("/mcp/messages", ({ request }) => postMessage(request), { parse: "none" });

  return {
    app,
    sessions,
    async close() {
      await sessions.closeAll();
      await streamable.close();
    },
  };
}
