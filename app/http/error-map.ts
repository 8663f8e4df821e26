/**
 * The one place errors become responses, for both listeners and every kind of answer: a JSON
 * error body (API), a JSON-RPC error (the MCP endpoints) or a page (UI, via `safeError`).
 *
 * Guarantees: a user sees a safe message and the request id, never a stack, an SQL text or a
 * path of the machine — whatever NODE_ENV says; an unexpected error is logged once, with its
 * request id; a database that cannot be reached reads "the gateway's database is unavailable"
 * (503), not a driver message.
 */
import { AppError, TooManyRequests } from "../errors.ts";
import type { Logger } from "../log.ts";
import { safeDbError } from "../db.ts";

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

export interface SafeError {
  status: number;
  code: string;
  message: string;
  headers: Record<string, string>;
  /** True when the error was not one of ours (it was logged). */
  unexpected: boolean;
}

// postgres.js connection failures and SQLSTATE classes that mean "the database is not there":
// 08 connection exception, 57P0x shutdown/crash, 53300 too many connections.
const DB_DOWN_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "ETIMEDOUT",
  "EPIPE",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "53300",
  "57P01",
  "57P02",
  "57P03",
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === "string" && (DB_DOWN_CODES.has(code) || /^08/.test(code));
}

/** Elysia's own error codes for requests that never reached a route. */
const FRAMEWORK: Record<string, { status: number; code: string; message: string }> = {
  NOT_FOUND: { status: 404, code: "not_found", message: "no such page or endpoint" },
  PARSE: { status: 400, code: "invalid", message: "the request body could not be parsed" },
  VALIDATION: { status: 400, code: "invalid", message: "the request is not valid" },
  INVALID_COOKIE_SIGNATURE: { status: 400, code: "invalid", message: "a cookie is not valid" },
};

/** What the user may see of `err`; logs it (once) when it is unexpected. */
export function safeError(err: unknown, requestId: string, log: Logger, frameworkCode?: string): SafeError {
  const headers: Record<string, string> = {};
  if (err instanceof AppError) {
    if (err instanceof TooManyRequests) headers["retry-after"] = String(err.retryAfterSeconds);
    return { status: err.status, code: err.code, message: err.message, headers, unexpected: false };
  }
  const framework = frameworkCode ? FRAMEWORK[frameworkCode] : undefined;
  if (framework) return { ...framework, headers, unexpected: false };
  if (isDatabaseUnavailable(err)) {
    log.error({ requestId, err: safeDbError(err) }, "database unavailable");
    headers["retry-after"] = "5";
    return {
      status: 503,
      code: "unavailable",
      message: `the gateway's database is unavailable; try again shortly (request id ${requestId})`,
      headers,
      unexpected: true,
    };
  }
  log.error(
    {
      requestId,
      err: err instanceof Error ? { name: err.name, message: safeDbError(err), stack: err.stack } : String(err),
    },
    "unhandled error",
  );
  return {
    status: 500,
    code: "internal",
    message: `internal error; quote request id ${requestId} to your administrator`,
    headers,
    unexpected: true,
  };
}

export function describeError(err: unknown, requestId: string, log: Logger, frameworkCode?: string) {
  const e = safeError(err, requestId, log, frameworkCode);
  const body: ErrorBody = { error: { code: e.code, message: e.message, requestId } };
  return { status: e.status, body, headers: e.headers };
}

/** A JSON error body: `{ error: { code, message, requestId } }`. */
export function errorResponse(err: unknown, requestId: string, log: Logger, frameworkCode?: string): Response {
  const { status, body, headers } = describeError(err, requestId, log, frameworkCode);
  return Response.json(body, { status, headers });
}

/** JSON-RPC error codes for HTTP statuses (the MCP endpoints answer in JSON-RPC, always). */
function rpcCode(status: number): number {
  if (status === 400) return -32600;
  if (status === 401) return -32001;
  if (status === 429) return -32029;
  if (status === 503) return -32003;
  return -32603;
}

/** A JSON-RPC error response (`id: null`): what an MCP client can read and show. */
export function rpcErrorResponse(err: unknown, requestId: string, log: Logger, frameworkCode?: string): Response {
  const e = safeError(err, requestId, log, frameworkCode);
  const body = {
    jsonrpc: "2.0",
    id: null,
    error: { code: rpcCode(e.status), message: e.message, data: { requestId, code: e.code } },
  };
  return Response.json(body, { status: e.status, headers: e.headers });
}

/** The response for a request whose Host header is malformed (request-host.ts). */
export function malformedHostResponse(requestId: string): Response {
  const body: ErrorBody = {
    error: {
      code: "invalid",
      message: "malformed Host header: it must be a host name or address with an optional port, nothing else",
      requestId,
    },
  };
  return Response.json(body, { status: 400 });
}
