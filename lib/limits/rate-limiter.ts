import { Ratelimit, type Duration } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { DependencyUnavailableError } from "../errors.ts";
import { describeError, logger } from "../observability/logger.ts";

/** A limiter's answer: whether this call may proceed, and when to try again if not. */
export interface RateLimitDecision {
  allowed: boolean;
  /** Seconds until the window frees a slot; 0 when allowed. */
  retryAfterSeconds: number;
}

/** Counts calls per key in a window; the interface every limit (images, sessions, messages) goes through. */
export interface RateLimiter {
  limit(key: string): Promise<RateLimitDecision>;
}

/**
 * What to do when the limiter cannot answer (Redis down, timed out): `closed` refuses with a 503
 * (for what costs money, such as image generation); `open` lets the call through (for cheap reads).
 */
export type LimiterFailureMode = "closed" | "open";

export interface UpstashRateLimiterOptions {
  /** Key prefix in Redis, e.g. `hera:dev:ratelimit:images`. */
  prefix: string;
  /** Calls allowed per window. */
  limit: number;
  /** The window, in @upstash/ratelimit's spelling (`"1 d"`, `"10 m"`). */
  window: Duration;
  onUnavailable: LimiterFailureMode;
  /** Gives up on Redis after this long and treats the limiter as unavailable; 0 relies on the client's own deadline. */
  timeoutMs?: number;
}

/** A fixed-window RateLimiter on Upstash Redis that fails closed or open, as chosen, when Redis cannot answer. */
export function createUpstashRateLimiter(redis: Pick<Redis, "evalsha" | "get" | "set">, options: UpstashRateLimiterOptions): RateLimiter {
  const ratelimit = new Ratelimit({
    redis,
    prefix: options.prefix,
    // A fixed window gives an exact reset time, so Retry-After tells the truth.
    limiter: Ratelimit.fixedWindow(options.limit, options.window),
    // The library's own timeout lets requests *through* ("reason: timeout"); it is mapped to "unavailable" below.
    timeout: options.timeoutMs ?? 0,
    analytics: false,
  });

  const unavailable = (cause: unknown): RateLimitDecision => {
    if (options.onUnavailable === "open") {
      logger.warn("rate limiter unavailable; letting the call through", { prefix: options.prefix, ...describeError(cause) });
      return { allowed: true, retryAfterSeconds: 0 };
    }
    throw new DependencyUnavailableError("rate_limiter", cause);
  };

  return {
    async limit(key) {
      let result: Awaited<ReturnType<typeof ratelimit.limit>>;
      try {
        result = await ratelimit.limit(key);
      } catch (error) {
        return unavailable(error);
      }
      if (result.reason === "timeout") return unavailable(new Error("rate limiter timed out"));
      if (result.success) return { allowed: true, retryAfterSeconds: 0 };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((result.reset - Date.now()) / 1000)) };
    },
  };
}
