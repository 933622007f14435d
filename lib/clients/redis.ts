import { Redis, errors } from "@upstash/redis";
import { DependencyUnavailableError } from "../http/errors.ts";
import { getConfig, type Config } from "../config.ts";
import { requireSecret } from "../secrets.ts";
import { ratelimitRedis, RedisBatch } from "./redis-batch.ts";

/** What the Redis client is made from: the two secrets and the deadline settings. */
export type RedisSettings = Pick<Config, "REDIS_TIMEOUT_MS" | "REDIS_RETRIES"> & {
  UPSTASH_REDIS_REST_URL: string;
  UPSTASH_REDIS_REST_TOKEN: string;
};

/** Makes the Upstash REST client with capped retries and a per-request deadline, so a dead Redis ends fast. */
export function createRedis(config: RedisSettings): Redis {
  return new Redis({
    url: config.UPSTASH_REDIS_REST_URL,
    token: config.UPSTASH_REDIS_REST_TOKEN,
    automaticDeserialization: false,
    enableTelemetry: false,
    retry: { retries: config.REDIS_RETRIES, backoff: (attempt) => 50 * 2 ** attempt },
    signal: () => AbortSignal.timeout(config.REDIS_TIMEOUT_MS),
  });
}

/**
 * Runs one Redis call and turns transport failures (refused, timed out, garbled, unauthorized) into a 503.
 * Redis command errors stay as they are: they are bugs, and the error handler hides them behind a 500.
 */
export async function callRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isRedisUnavailable(error)) throw new DependencyUnavailableError("redis", error);
    throw error;
  }
}

function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof errors.UpstashJSONParseError) return true;
  if (error instanceof errors.UpstashError) return /^(Unauthorized|Aborted|Timeout)/i.test(error.message);
  return true;
}

let redis: Redis | undefined;

/** The process-wide Redis client, made once per container on first use (after loadSecrets() in AWS). */
export function redisClient(): Redis {
  redis ??= createRedis({
    ...getConfig(),
    UPSTASH_REDIS_REST_URL: requireSecret("UPSTASH_REDIS_REST_URL"),
    UPSTASH_REDIS_REST_TOKEN: requireSecret("UPSTASH_REDIS_REST_TOKEN"),
  });
  return redis;
}

let batch: RedisBatch | undefined;

/** The process-wide batch of Redis commands: what the store and the limiters send in one turn goes as one request. */
export function redisBatch(): RedisBatch {
  batch ??= new RedisBatch(redisClient());
  return batch;
}

/** The Redis given to @upstash/ratelimit: its scripts join the process-wide batch. */
export function limiterRedis(): ReturnType<typeof ratelimitRedis> {
  return ratelimitRedis(redisBatch(), redisClient());
}
