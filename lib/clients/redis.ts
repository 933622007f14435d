import { Redis, errors } from "@upstash/redis";
import { DependencyUnavailableError } from "../errors.ts";
import type { Config } from "../config.ts";

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
