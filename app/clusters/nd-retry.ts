/**
 * When a failed ND request may be sent again, and after how long.
 *
 * Guarantees (prior-art M4): only idempotent requests are retried — GET/HEAD, or a POST the
 * caller marked as a read (previews, queries); PUT/PATCH/DELETE and other POSTs never, not on a
 * timeout and not on a 5xx, because ND may already have applied them. Retries happen on 408,
 * 429, 502, 503, 504 and connection failures only (not 500: ND's 500s are deterministic), with
 * exponential back-off and full jitter, honouring Retry-After up to a cap.
 */

export interface RetryPolicy {
  /** Total attempts, first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the caller gets rate_limited instead. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  maxRetryAfterMs: 30_000,
};

const RETRYABLE_STATUS = new Set([408, 429, 502, 503, 504]);

export function isIdempotent(method: string, markedIdempotent: boolean | undefined): boolean {
  const m = method.toUpperCase();
  if (m === "GET" || m === "HEAD") return true;
  return m === "POST" && markedIdempotent === true;
}

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUS.has(status);
}

/** Seconds or an HTTP date → milliseconds from now; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * Delay before attempt `attempt + 1` (attempt counts from 1), or undefined when the server asked
 * for a longer pause than the policy allows.
 */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | undefined,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs) return undefined;
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  const backoff = Math.floor(random() * ceiling);
  return Math.max(backoff, retryAfterMs ?? 0);
}
