import { stageKeyPrefix } from "../config.ts";
import { idempotencyHashKey, type IdempotencyStore, RedisIdempotencyStore } from "../sessions/idempotency-store.ts";
import { getConfig } from "./config.ts";
import { redisBatch } from "./redis.ts";

let store: IdempotencyStore | undefined;

/** The process-wide Idempotency-Key store; its commands join the process-wide batch (lib/clients/redis-batch.ts). */
export function idempotencyStore(): IdempotencyStore {
  store ??= new RedisIdempotencyStore(redisBatch(), stageKeyPrefix(getConfig()));
  return store;
}

/** The Redis key of a session's Idempotency-Key records, erased with the session. */
export function sessionIdempotencyKey(sessionId: string): string {
  return idempotencyHashKey(stageKeyPrefix(getConfig()), sessionId);
}
