/**
 * The one place errors become responses. Users see a safe message and the request id, never a
 * stack; unexpected errors are logged with their detail and answered with a generic 500.
 */
import { AppError, TooManyRequests } from "../errors.ts";
import type { Logger } from "../log.ts";

export interface ErrorBody {
  error: { code: string; message: string; requestId: string };
}

export function errorResponse(err: unknown, requestId: string, log: Logger): Response {
  const { status, body, headers } = describeError(err, requestId, log);
  return Response.json(body, { status, headers });
}

export function describeError(err: unknown, requestId: string, log: Logger) {
  const headers: Record<string, string> = {};
  if (err instanceof AppError) {
    if (err instanceof TooManyRequests) headers["retry-after"] = String(err.retryAfterSeconds);
    const body: ErrorBody = { error: { code: err.code, message: err.message, requestId } };
    return { status: err.status, body, headers };
  }
  log.error({ err, requestId }, "unhandled error");
  const body: ErrorBody = { error: { code: "internal", message: `internal error; quote request id ${requestId} to your administrator`, requestId } };
  return { status: 500, body, headers };
}
