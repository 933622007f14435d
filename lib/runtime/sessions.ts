import { getConfig, stageKeyPrefix } from "../config.ts";
import { redisBatch, redisClient } from "../clients/redis.ts";
import { RedisSessionStore } from "../sessions/redis-session-store.ts";
import type { Session, SessionStore } from "../sessions/model.ts";
import { openSession } from "../sessions/sessions.ts";
import { bearerToken, type HttpRequest } from "../http/handler.ts";
import { logger } from "../observability/logger.ts";

// The real collaborators of the domain, built once per container, one module per concern so that each function's
// bundle holds only what it uses. Handlers take them from here; tests build the domain with fakes instead.
let store: SessionStore | undefined;

/** The process-wide session store on Redis; its commands join the process-wide batch (see lib/clients/redis-batch.ts). */
export function sessionStore(): SessionStore {
  const config = getConfig();
  store ??= new RedisSessionStore(redisClient(), {
    ttlSeconds: config.SESSION_TTL_SECONDS,
    keyPrefix: stageKeyPrefix(config),
    batch: redisBatch(),
  });
  return store;
}

/** Opens the session a request names, for the holder of its bearer token, and tags the request's logs with its id. */
export async function openRequestedSession(request: Pick<HttpRequest<unknown>, "pathParameters" | "headers">): Promise<Session> {
  const session = await openSession(sessionStore(), request.pathParameters.sessionId, bearerToken(request.headers));
  logger.appendKeys({ sessionId: session.id });
  return session;
}
