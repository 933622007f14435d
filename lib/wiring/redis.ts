import type { Redis } from "@upstash/redis";
import { createRedis } from "../clients/redis.ts";
import { ratelimitRedis, RedisBatch } from "../clients/redis-batch.ts";
import { getConfig } from "./config.ts";
import { requireSecret } from "./secrets.ts";

let redis: Redis | undefined;
let batch: RedisBatch | undefined;

/** The process-wide Redis client, made once per container on first use (after the secrets are loaded in AWS). */
export function redisClient(): Redis {
  redis ??= createRedis({
    ...getConfig(),
    UPSTASH_REDIS_REST_URL: requireSecret("UPSTASH_REDIS_REST_URL"),
    UPSTASH_REDIS_REST_TOKEN: requireSecret("UPSTASH_REDIS_REST_TOKEN"),
  });
  return redis;
}

/** The process-wide batch of Redis commands: what the store and the limiters send in one turn goes as one request. */
export function redisBatch(): RedisBatch {
  batch ??= new RedisBatch(redisClient());
  return batch;
}

/** The Redis given to @upstash/ratelimit: its scripts join the process-wide batch. */
export function limiterRedis(): ReturnType<typeof ratelimitRedis> {
  return ratelimitRedis(redisBatch(), redisClient());
}
