import { RateLimitedError, SessionNotFoundError } from "../http/errors.ts";
import { countMetric, MetricName } from "../observability/metrics.ts";
import type { Session, SessionStore } from "../sessions/model.ts";
import { openSession } from "../sessions/sessions.ts";
import { isSessionId } from "../sessions/tokens.ts";
import type { RateLimiter } from "./rate-limiter.ts";

/** Counts one call against a limiter and refuses it with 429 and Retry-After when the window is full. */
export async function enforceLimit(limiter: RateLimiter, key: string): Promise<void> {
  const decision = await limiter.limit(key);
  if (!decision.allowed) {
    countMetric(MetricName.RateLimited);
    throw new RateLimitedError(decision.retryAfterSeconds);
  }
}

/**
 * Opens a session for the holder of its token and counts the call against a per-session limiter, both at once: the
 * limiter's script then travels in the session read's Redis round trip (lib/clients/redis-batch.ts). The call is
 * therefore counted before the token is checked, so a caller who knows a session id without its token spends that
 * session's allowance too; ids are 128 random bits that only the token holder is given. An unknown session or a
 * wrong token is a 404 whatever the limiter says; a refused limit is a 429.
 */
export async function openSessionWithinLimit(
  store: Pick<SessionStore, "load">,
  limiter: RateLimiter,
  sessionId: string | undefined,
  token: string,
): Promise<Session> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const [opened, limited] = await Promise.allSettled([openSession(store, sessionId, token), enforceLimit(limiter, sessionId)]);
  if (opened.status === "rejected") throw opened.reason;
  if (limited.status === "rejected") throw limited.reason;
  return opened.value;
}
