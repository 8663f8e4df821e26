/**
 * Facts about a request that only the listener knows (request id, client address, the Bun
 * server for per-request timeouts). The handler records them; routes read them.
 */
import type { Server } from "bun";

export interface RequestMeta {
  requestId: string;
  clientIp: string;
  server?: Server<unknown>;
}

const metas = new WeakMap<Request, RequestMeta>();

export function recordRequestMeta(request: Request, meta: RequestMeta): void {
  metas.set(request, meta);
}

export function requestMeta(request: Request): RequestMeta {
  return metas.get(request) ?? { requestId: "none", clientIp: "unknown" };
}

/** Lets a long-lived response (SSE) outlive the listener's idle timeout. */
export function disableIdleTimeout(request: Request): void {
  metas.get(request)?.server?.timeout(request, 0);
}
