import { RateLimitedError } from "../errors.ts";
import { countMetric } from "../observability/metrics.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** A limit counted per session and token: see perSessionLimit. */
export type SessionLimit = (sessionId: string, tokenHash: string) => Promise<void>;

/**
 * The key a per-session limit counts under: the session id and (128 bits of) the hash of the token presented, so that
 * a caller with a wrong token spends a bucket of its own, never the owner's. The owner's key can be made again from
 * the session's stored token hash (to erase it with the session).
 */
export function sessionLimitKey(sessionId: string, tokenHash: string): string {
  return `${sessionId}:${tokenHash.slice(0, 32)}`;
}

/**
 * A per-session limit: counts one call against the allowance of the session's token holder, refusing it with 429 when
 * it is spent. It is counted before the token is checked (to share the session read's round trip), and therefore
 * under the presented token's hash: only the holder of the token can spend the owner's allowance.
 */
export function perSessionLimit(limiter: RateLimiter): SessionLimit {
  return (sessionId, tokenHash) => enforceLimit(limiter, sessionLimitKey(sessionId, tokenHash));
}

/** Counts one call against a limiter and refuses it with 429 and Retry-After when the window is full. */
export async function enforceLimit(limiter: RateLimiter, key: string): Promise<void> {
  const decision = await limiter.limit(key);
  if (!decision.allowed) {
    countMetric("RateLimited");
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}
