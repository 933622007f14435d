import type { Redis } from "@upstash/redis";
import { inject } from "vitest";
import { createRedis } from "../../lib/clients/redis.ts";

/** The product's Redis client pointed at the integration services' REST endpoint, without retries. */
export function integrationRedis(): Redis {
  const services = inject("services");
  return createRedis({
    UPSTASH_REDIS_REST_URL: services.redisUrl,
    UPSTASH_REDIS_REST_TOKEN: services.redisToken,
    REDIS_TIMEOUT_MS: 5000,
    REDIS_RETRIES: 0,
  });
}
