import { RateLimitedError } from "../errors.ts";
import { countMetric, MetricName } from "../observability/metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** Counts one call against a limiter and refuses it with 429 and Retry-After when the window is full. */
export async function enforceLimit(limiter: RateLimiter, key: string): Promise<void> {
  const decision = await limiter.limit(key);
  if (!decision.allowed) {
    countMetric(MetricName.RateLimited);
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}
