/**
 * The few error classes domain code throws. Each carries a message that is safe to show to a
 * user (no secrets, no internals); `app/http/error-map.ts` maps them to HTTP, the UI and JSON-RPC.
 */
export class AppError extends Error {
  readonly status: number = 500;
  readonly code: string = "internal";
}

export class Invalid extends AppError {
  override readonly status = 400;
  override readonly code = "invalid";
}

export class Unauthorized extends AppError {
  override readonly status = 401;
  override readonly code = "unauthorized";
}

export class Forbidden extends AppError {
  override readonly status = 403;
  override readonly code = "forbidden";
}

export class NotFound extends AppError {
  override readonly status = 404;
  override readonly code = "not_found";
}

export class Conflict extends AppError {
  override readonly status = 409;
  override readonly code = "conflict";
}

export class TooManyRequests extends AppError {
  override readonly status = 429;
  override readonly code = "rate_limited";
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

export class Unavailable extends AppError {
  override readonly status = 503;
  override readonly code = "unavailable";
}

/** A start-up problem: one line naming the problem and the fix; main prints it and exits 1. */
export class StartupError extends Error {
  override readonly name = "StartupError";
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
