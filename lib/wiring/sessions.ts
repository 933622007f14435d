import { sessionScope } from "../http/idempotency.ts";
import type { HttpRequest } from "../http/types.ts";
import type { SessionLimit } from "../limits/enforce.ts";
import { logger } from "../observability/logger.ts";
import { RedisSessionStore } from "../sessions/redis-session-store.ts";
import type { Session, SessionStore } from "../sessions/model.ts";
import { openSession } from "../sessions/sessions.ts";
import { bearerToken } from "../sessions/tokens.ts";
import { stageKeyPrefix } from "../config.ts";
import { getConfig } from "./config.ts";
import { redisBatch, redisClient } from "./redis.ts";

let store: SessionStore | undefined;

/** The process-wide session store on Redis; its commands join the process-wide batch (see lib/clients/redis-batch.ts). */
export function sessionStore(): SessionStore {
  const config = getConfig();
  store ??= new RedisSessionStore(redisClient(), {
    ttlSeconds: config.SESSION_TTL_SECONDS,
    maxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
    keyPrefix: stageKeyPrefix(config),
    batch: redisBatch(),
  });
  return store;
}

/**
 * Opens the session a request names, for the holder of its bearer token, and tags the request's logs with its id.
 * With `limit`, the call is also counted against the session's allowance, and a state-changing request claims its
 * Idempotency-Key (`request.claim`), both in the same Redis round trip as the read.
 */
export async function openRequestedSession(
  request: Pick<HttpRequest<unknown>, "pathParameters" | "headers"> & Partial<Pick<HttpRequest<unknown>, "claim">>,
  limit?: SessionLimit,
): Promise<Session> {
  const { claim } = request;
  const session = await openSession(
    sessionStore(),
    request.pathParameters.sessionId,
    bearerToken(request.headers),
    limit,
    claim && ((sessionId, tokenHash) => claim(sessionScope(sessionId, tokenHash))),
  );
  logger.appendKeys({ sessionId: session.id });
  return session;
}
