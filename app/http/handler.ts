/**
 * Wraps an Elysia app into the function a listener calls: assigns the request id, records the
 * client address, refuses a malformed Host header (400, before routing), maps stray errors, adds
 * security headers and writes one access line. Route errors are mapped by each app's `onError`
 * (error-map.ts); the catch here is the last resort for anything that escapes the app. Nothing
 * here can throw, so Bun's own error page is never served. Tests call the same function in
 * process, so they see exactly what a client would.
 */
import type { Server } from "bun";
import type { Logger } from "../log.ts";
import { errorResponse, malformedHostResponse } from "./error-map.ts";
import { parseHost, pathOf } from "./request-host.ts";
import { recordRequestMeta } from "./request-meta.ts";
import { applySecurityHeaders } from "./security-headers.ts";

export type ListenerName = "ui" | "api";

export interface HandleOptions {
  clientIp?: string;
  server?: Server<unknown>;
}

export type Handler = (request: Request, opts?: HandleOptions) => Promise<Response>;

interface ElysiaLike {
  handle(request: Request): Promise<Response>;
}

export function createHandler(app: ElysiaLike, listener: ListenerName, log: Logger): Handler {
  return async (request, opts = {}) => {
    const started = performance.now();
    const requestId = crypto.randomUUID();
    const clientIp = opts.clientIp ?? "unknown";
    recordRequestMeta(request, { requestId, clientIp, server: opts.server });
    let response: Response;
    try {
      response = hostIsWellFormed(request) ? await app.handle(request) : malformedHostResponse(requestId);
    } catch (err) {
      response = errorResponse(err, requestId, log);
    }
    response = mutable(response);
    applySecurityHeaders(response.headers, listener);
    response.headers.set("x-request-id", requestId);
    log.info(
      {
        listener,
        requestId,
        method: request.method,
        path: pathOf(request.url),
        status: response.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        clientIp,
      },
      "request",
    );
    return response;
  };
}

/**
 * The Host header must parse strictly. A Request built in process (tests) may carry none; its
 * URL was validated when it was constructed, so its host is what counts then.
 */
function hostIsWellFormed(request: Request): boolean {
  const header = request.headers.get("host");
  if (header !== null) return parseHost(header) !== null;
  try {
    return parseHost(new URL(request.url).host) !== null;
  } catch {
    return false;
  }
}

/** Responses built from fetch() have immutable headers; rebuild those (body stays a stream). */
function mutable(response: Response): Response {
  try {
    response.headers.set("x-probe", "1");
    response.headers.delete("x-probe");
    return response;
  } catch {
    return new Response(response.body, response);
  }
}
