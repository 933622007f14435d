import { Redis, errors } from "@upstash/redis";
import { DependencyUnavailableError } from "../errors.ts";
import type { Config } from "../config.ts";
import { RedisUnavailableError } from "./redis-batch.ts";

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
 * Runs one Redis call and turns every way Redis can fail to answer into a 503: refused, reset, timed out, an HTTP
 * error status, a body that is not the protocol, or a reply that means "not now". A command's own error reply (a bug,
 * such as WRONGTYPE) stays as it is, and the error handler hides it behind a 500.
 */
export async function callRedis<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (isRedisUnavailable(error)) throw new DependencyUnavailableError("redis", error);
    throw error;
  }
}

// Error replies of a Redis that is up but cannot serve now (loading, busy with a script, failing over, out of memory,
// read-only replica), and Upstash's answer when a database's request or bandwidth quota is spent.
const NOT_NOW_REPLY = /^(?:LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN|READONLY|OOM|NOREPLICAS)\b|limit exceeded/i;
const COMMAND_FAILED = "Command failed: ";
// @upstash/redis's message for an answer with a non-2xx status and a JSON body: `${body.error}, command was: …`.
const HTTP_STATUS_ERROR = ", command was: ";

/**
 * Whether an error from a Redis call means that Redis did not answer (503), rather than that a command failed (a bug).
 * Through RedisBatch the line is exact: a request that failed as a whole is a RedisUnavailableError, a command's own
 * error is an UpstashError "Command failed: …". For a command sent alone, @upstash/redis does not keep the HTTP
 * status, and Upstash answers a command's error with 400: a non-2xx answer is taken as an outage.
 */
export function isRedisUnavailable(error: unknown): boolean {
  if (error instanceof RedisUnavailableError || error instanceof errors.UpstashJSONParseError) return true;
  // Not an answer of the endpoint at all: fetch failed (refused, reset, DNS), the deadline aborted it, no `result`.
  if (!(error instanceof errors.UpstashError)) return true;
  if (error.message.includes(HTTP_STATUS_ERROR)) return true;
  const reply = error.message.startsWith(COMMAND_FAILED) ? error.message.slice(COMMAND_FAILED.length) : error.message;
  return NOT_NOW_REPLY.test(reply);
}
