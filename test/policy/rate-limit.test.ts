import { describe, expect, test } from "bun:test";
import { RateLimiter } from "../../app/policy/rate-limit.ts";

describe("in-memory rate limit (per node)", () => {
  test("a burst is allowed, the next request waits for the refill, and the wait is said in whole seconds", () => {
    let now = 0;
    const limiter = new RateLimiter(2, 3, () => now);
    expect([1, 2, 3].map(() => limiter.take("t").allowed)).toEqual([true, true, true]);
    const refused = limiter.take("t");
    expect(refused).toEqual({ allowed: false, retryAfterSeconds: 1 });
    now += 500; // half a second at 2/s: one token back
    expect(limiter.take("t").allowed).toBe(true);
    expect(limiter.take("t").allowed).toBe(false);
    now += 10_000; // refills only up to the burst
    expect([1, 2, 3, 4].map(() => limiter.take("t").allowed)).toEqual([true, true, true, false]);
  });

  test("each key has its own bucket, and memory stays bounded", () => {
    const limiter = new RateLimiter(1, 1, () => 0, 100);
    expect(limiter.take("a").allowed).toBe(true);
    expect(limiter.take("a").allowed).toBe(false);
    expect(limiter.take("b").allowed).toBe(true);
    for (let i = 0; i < 1000; i++) limiter.take(`k${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
  });
});
