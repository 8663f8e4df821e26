/**
 * The API listener's `onError`: every error a route throws becomes a JSON-RPC error on the MCP
 * endpoints (an MCP client can read it) and a JSON error body elsewhere, both through
 * error-map.ts, with the request id.
 */
import type { Logger } from "../log.ts";
import { errorResponse, rpcErrorResponse } from "./error-map.ts";
import { pathOf } from "./request-host.ts";
import { requestMeta } from "./request-meta.ts";

export function apiErrorResponse(error: unknown, code: string, request: Request, log: Logger): Response {
  const { requestId } = requestMeta(request);
  const path = pathOf(request.url);
  const mcp = path === "/mcp" || path.startsWith("/mcp/");
  return mcp ? rpcErrorResponse(error, requestId, log, code) : errorResponse(error, requestId, log, code);
}
