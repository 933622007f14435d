import { getConfig } from "./config.ts";
import { objectStore } from "./photos.ts";
import { redisClient } from "./redis.ts";
import { resultArchive } from "./results.ts";

/** The readiness checks of the health endpoint, on the same process-wide clients the other functions use. */
export function healthChecks(): Record<string, (signal: AbortSignal) => Promise<unknown>> {
  return {
    redis: () => redisClient().ping(),
    s3: (signal) => objectStore().ping(signal),
    dynamodb: (signal) => resultArchive().ping(signal),
  };
}

/** How long each readiness check may take. */
export function healthTimeoutMs(): number {
  return getConfig().DEPENDENCY_TIMEOUT_MS;
}
