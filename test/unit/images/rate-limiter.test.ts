import type { Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { DependencyUnavailableError } from "../../../lib/errors.ts";
import { createUpstashRateLimiter } from "../../../lib/limits/rate-limiter.ts";

// @upstash/ratelimit only runs scripts (EVALSHA, then EVAL on NOSCRIPT): a stand-in for those two
// calls is enough to drive it without a network.
function scriptedRedis(answer: () => Promise<unknown>): Redis {
  const client = { evalsha: answer, eval: answer };
  return client as unknown as Redis;
}

const options = { prefix: "test:ratelimit:images", limit: 5, window: "1 d" as const };

describe("createUpstashRateLimiter", () => {
  it("allows while the window has room and refuses after, with the seconds until the window ends", async () => {
    let used = 0;
    const limiter = createUpstashRateLimiter(
      scriptedRedis(async () => [++used, 5]),
      { ...options, onUnavailable: "closed" },
    );

    const decisions = [];
    for (let i = 0; i < 6; i++) decisions.push(await limiter.limit("session-a"));

    expect(decisions.slice(0, 5).every((decision) => decision.allowed)).toBe(true);
    const refused = decisions[5];
    expect(refused?.allowed).toBe(false);
    const endOfWindow = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000;
    expect(refused?.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused?.retryAfterSeconds).toBeLessThanOrEqual(Math.ceil((endOfWindow - Date.now()) / 1000) + 1);
  });

  it("fails closed: Redis down becomes a 503 with Retry-After, never an allowance", async () => {
    const limiter = createUpstashRateLimiter(
      scriptedRedis(async () => Promise.reject(new TypeError("fetch failed"))),
      { ...options, onUnavailable: "closed" },
    );

    const error = await limiter.limit("session-a").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DependencyUnavailableError);
    expect(error).toMatchObject({ status: 503, headers: { "Retry-After": "5" }, details: { dependency: "rate_limiter" } });
  });

  it("fails closed when Redis does not answer within its timeout (the library itself would let the call through)", async () => {
    const limiter = createUpstashRateLimiter(
      scriptedRedis(() => new Promise<unknown>(() => undefined)),
      { ...options, onUnavailable: "closed", timeoutMs: 30 },
    );

    const error = await limiter.limit("session-a").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(DependencyUnavailableError);
  });

  it("fails open when chosen: Redis down lets the call through", async () => {
    const limiter = createUpstashRateLimiter(
      scriptedRedis(async () => Promise.reject(new TypeError("fetch failed"))),
      { ...options, onUnavailable: "open" },
    );

    await expect(limiter.limit("session-a")).resolves.toEqual({ allowed: true, retryAfterSeconds: 0 });
  });
});
