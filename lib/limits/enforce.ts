import { RateLimitedError } from "../errors.ts";
import { countMetric } from "../observability/metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** A per-session limit: counts one call against the session's allowance, refusing it with 429 when it is spent. */
export function perSessionLimit(limiter: RateLimiter): (sessionId: string) => Promise<void> {
  return (sessionId) => enforceLimit(limiter, sessionId);
}

/** Counts one call against a limiter and refuses it with 429 and Retry-After when the window is full. */
export async function enforceLimit(limiter: RateLimiter, key: string): Promise<void> {
  const decision = await limiter.limit(key);
  if (!decision.allowed) {
    countMetric("RateLimited");
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}
