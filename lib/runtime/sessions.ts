import { getConfig } from "../config.ts";
import { redisBatch, redisClient } from "../clients/redis.ts";
import { RedisSessionStore } from "../sessions/redis-session-store.ts";
import type { SessionStore } from "../sessions/model.ts";

// The real collaborators of the domain, built once per container, one module per concern so that each function's
// bundle holds only what it uses. Handlers take them from here; tests build the domain with fakes instead.
let store: SessionStore | undefined;

/** The process-wide session store on Redis; its commands join the process-wide batch (see lib/clients/redis-batch.ts). */
export function sessionStore(): SessionStore {
  const config = getConfig();
  store ??= new RedisSessionStore(redisClient(), {
    ttlSeconds: config.SESSION_TTL_SECONDS,
    keyPrefix: `${config.REDIS_KEY_PREFIX}:${config.STAGE}`,
    batch: redisBatch(),
  });
  return store;
}
