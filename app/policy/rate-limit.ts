/**
 * Per-token rate limiting: a token bucket per credential, held in this node's memory.
 *
 * Guarantees: a bucket holds at most `burst` tokens and refills at `ratePerSec`; a request takes
 * one or is refused with the seconds until one is there; no database round trip per request.
 * Buckets are per node: with N gateway nodes behind a balancer a token may make up to N × the
 * configured rate in total (divide MCP_RATE_PER_SEC and MCP_RATE_BURST by the node count when
 * the limit must hold across the cluster). A restart refills every bucket. Memory is bounded:
 * idle buckets (full again) are dropped, oldest first, past `maxBuckets`.
 */

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
    private readonly maxBuckets = 100_000,
  ) {}

  take(key: string): RateDecision {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSec);
      bucket.at = now;
      // Most recently used last, so eviction takes the longest idle.
      this.buckets.delete(key);
    } else {
      bucket = { tokens: this.burst, at: now };
      if (this.buckets.size >= this.maxBuckets) this.evict();
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true, retryAfterSeconds: 0 };
    }
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSec)) };
  }

  private evict(): void {
    // The oldest entries are idle the longest; a full bucket forgets nothing when dropped.
    for (const key of [...this.buckets.keys()].slice(0, Math.ceil(this.maxBuckets / 10))) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
