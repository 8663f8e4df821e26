/**
 * Wraps an Elysia app into the function a listener calls: assigns the request id, records the
 * client address, maps stray errors, adds security headers and writes one access line.
 * Tests call the same function in process, so they see exactly what a client would.
 */
import type { Server } from "bun";
import type { Logger } from "../log.ts";
import { errorResponse } from "./error-map.ts";
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
      response = await app.handle(request);
    } catch (err) {
      response = errorResponse(err, requestId, log);
    }
    response = mutable(response);
    applySecurityHeaders(response.headers, listener);
    response.headers.set("x-request-id", requestId);
    const url = new URL(request.url);
    log.info(
      { listener, requestId, method: request.method, path: url.pathname, status: response.status, ms: Math.round((performance.now() - started) * 10) / 10, clientIp },
      "request",
    );
    return response;
  };
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
