/**
 * Per-token rate limiting as a token bucket in PostgreSQL, so every node shares one budget per
 * token (no in-memory source of truth). One statement per request: refill by elapsed time,
 * take one token if there is one, and say whether it was taken.
 */
import type { Sql } from "postgres";

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export async function takeToken(sql: Sql, key: string, ratePerSec: number, burst: number): Promise<RateDecision> {
  // In DO UPDATE every `b.` reference is the locked current row, so concurrent requests queue
  // on the row and each sees the previous one's result.
  const [row] = await sql<{ tokens: number; allowed: boolean }[]>`
    insert into rate_buckets as b (key, tokens, allowed, updated_at)
    values (${key}, ${burst - 1}::float8, true, clock_timestamp())
    on conflict (key) do update set
      allowed = least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8) >= 1,
      tokens = least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8)
               - case when least(${burst}::float8, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * ${ratePerSec}::float8) >= 1 then 1 else 0 end,
      updated_at = clock_timestamp()
    returning tokens, allowed`;
  const r = row!;
  return { allowed: r.allowed, retryAfterSeconds: r.allowed ? 0 : Math.max(1, Math.ceil((1 - r.tokens) / ratePerSec)) };
}
