import { describe, expect, it } from "vitest";
import { RateLimitedError } from "../../lib/http/errors.ts";
import { enforceLimit } from "../../lib/limits/enforce.ts";
import type { RateLimiter } from "../../lib/limits/rate-limiter.ts";

/** A limiter that allows `limit` calls per key, then refuses with a fixed wait. */
function countingLimiter(limit: number): RateLimiter & { calls: string[] } {
  const counts = new Map<string, number>();
  const calls: string[] = [];
  return {
    calls,
    async limit(key) {
      calls.push(key);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return count <= limit ? { allowed: true, retryAfterSeconds: 0 } : { allowed: false, retryAfterSeconds: 42 };
    },
  };
}

describe("enforceLimit", () => {
  it("lets calls through up to the limit, then refuses with 429 and Retry-After, per key", async () => {
    const limiter = countingLimiter(2);
    await enforceLimit(limiter, "203.0.113.7");
    await enforceLimit(limiter, "203.0.113.7");
    const refused = await enforceLimit(limiter, "203.0.113.7").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ status: 429, code: "rate_limited", headers: { "Retry-After": "42" } });
    await expect(enforceLimit(limiter, "198.51.100.1")).resolves.toBeUndefined();
  });
});
