import { RedisSessionStore } from "../sessions/redis-session-store.ts";
import type { SessionStore } from "../sessions/model.ts";
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
