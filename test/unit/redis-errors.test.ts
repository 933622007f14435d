import { errors, type Redis } from "@upstash/redis";
import { describe, expect, it } from "vitest";
import { RedisBatch, RedisUnavailableError } from "../../lib/clients/redis-batch.ts";
import { callRedis, isRedisUnavailable } from "../../lib/clients/redis.ts";
import { DependencyUnavailableError } from "../../lib/errors.ts";

/** A Redis whose pipelines answer with `exec`, as @upstash/redis's Pipeline would. */
function redisAnswering(exec: () => Promise<unknown>): Redis {
  const pipeline = { hgetall: () => pipeline, lrange: () => pipeline, del: () => pipeline, exec };
  return { pipeline: () => pipeline } as unknown as Redis;
}

describe("isRedisUnavailable", () => {
  it.each([
    ["a batch the endpoint did not run", new RedisUnavailableError(new TypeError("fetch failed"))],
    ["a body that is not the protocol", new errors.UpstashJSONParseError("<html>503</html>")],
    ["fetch failing (refused, reset)", new TypeError("fetch failed")],
    ["the deadline aborting the request", new DOMException("The operation timed out.", "TimeoutError")],
    ["a non-2xx status with a JSON error", new errors.UpstashError('ERR Redis is unavailable, command was: ["GET","k"]')],
    ["Redis loading its dataset", new errors.UpstashError("Command failed: LOADING Redis is loading the dataset in memory")],
    ["Redis busy with a script", new errors.UpstashError("Command failed: BUSY Redis is busy running a script")],
    ["Redis out of memory", new errors.UpstashError("Command failed: OOM command not allowed when used memory > 'maxmemory'.")],
    ["Upstash's quota spent", new errors.UpstashError("Command failed: ERR max requests limit exceeded. Limit: 10000")],
  ])("takes %s as Redis unavailable", (_, error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([
    [
      "a command on the wrong type",
      new errors.UpstashError("Command failed: WRONGTYPE Operation against a key holding the wrong kind of value"),
    ],
    [
      "a script error",
      new errors.UpstashError("Command failed: ERR user_script:1: Script attempted to access nonexistent global variable"),
    ],
    ["a command's error answered in a 200", new errors.UpstashError("ERR wrong number of arguments for 'hgetall' command")],
  ])("takes %s as a bug, not an outage", (_, error) => {
    expect(isRedisUnavailable(error)).toBe(false);
  });
});

describe("RedisBatch", () => {
  it("rejects every command of a request that failed as a whole with RedisUnavailableError, which callRedis makes a 503", async () => {
    const batch = new RedisBatch(redisAnswering(() => Promise.reject(new errors.UpstashError('ERR down, command was: [["HGETALL","k"]]'))));
    const both = Promise.allSettled([batch.hgetall("a"), batch.lrange("b", 0, -1)]);
    const outcomes = await both;
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected");
      expect((outcome as PromiseRejectedResult).reason).toBeInstanceOf(RedisUnavailableError);
    }
    const failed = await callRedis(() => batch.hgetall("a")).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(DependencyUnavailableError);
    expect(failed).toMatchObject({ status: 503, dependency: "redis", headers: { "Retry-After": "5" } });
  });

  it("takes an answer that is not one reply per command as the endpoint failing", async () => {
    const batch = new RedisBatch(redisAnswering(async () => ({ result: "OK" })));
    await expect(batch.hgetall("a")).rejects.toBeInstanceOf(RedisUnavailableError);
  });

  it("keeps a command's own error to that command, and callRedis lets it through as a bug", async () => {
    const batch = new RedisBatch(
      redisAnswering(async () => [{ error: "WRONGTYPE Operation against a key", result: null }, { result: ["x"] }]),
    );
    const [hash, list] = await Promise.allSettled([batch.hgetall("a"), batch.lrange("b", 0, -1)]);
    expect(list).toEqual({ status: "fulfilled", value: ["x"] });
    const error = (hash as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(errors.UpstashError);
    await expect(callRedis(() => Promise.reject(error))).rejects.not.toBeInstanceOf(DependencyUnavailableError);
  });
});
