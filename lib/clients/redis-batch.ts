import { errors, type Redis } from "@upstash/redis";

type Pipeline = ReturnType<Redis["pipeline"]>;

/**
 * The Redis endpoint did not run a batch: the request failed in transport (refused, reset, timed out), answered a
 * non-2xx status, or a body that is not the protocol. Apart from a command's own error, which Upstash answers inside
 * a 200, one reply per command.
 */
export class RedisUnavailableError extends Error {
  override name = "RedisUnavailableError";

  constructor(cause: unknown) {
    super("The Redis endpoint did not answer the request", { cause });
  }
}

interface Pending {
  add: (pipeline: Pipeline) => void;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Sends the Redis commands issued during one turn of the event loop as one `/pipeline` request, whoever issues them:
 * the session store's read and the rate limiter's script of the same request cost one round trip, not two.
 * (@upstash/redis's own auto-pipelining keeps reads and writes, such as EVALSHA, in separate pipelines.)
 * A pipeline is not a transaction: each command runs on its own, in order, and fails on its own.
 */
export class RedisBatch {
  private pending: Pending[] = [];
  private scheduled = false;

  constructor(private readonly redis: Redis) {}

  /** Queues one command (added to the pipeline by `add`) and answers its result, or its own error. */
  command<T>(add: (pipeline: Pipeline) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ add, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // A macrotask later, not a microtask: callers reach their command after a few awaits of their own.
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    this.scheduled = false;
    const pipeline = this.redis.pipeline();
    for (const entry of batch) entry.add(pipeline);
    let results: Array<{ error?: string; result?: unknown }>;
    try {
      results = await pipeline.exec<Array<{ error?: string; result: unknown }>>({ keepErrors: true });
      if (!Array.isArray(results) || results.length !== batch.length) {
        throw new TypeError("the pipeline's answer is not one reply per command");
      }
    } catch (error) {
      // Refused, reset, timed out, a non-2xx status, a body that is not the protocol: the request failed as a whole.
      const unavailable = new RedisUnavailableError(error);
      for (const entry of batch) entry.reject(unavailable);
      return;
    }
    batch.forEach((entry, index) => {
      const answer = results[index];
      if (answer?.error) entry.reject(new errors.UpstashError(`Command failed: ${answer.error}`));
      else entry.resolve(answer?.result);
    });
  }

  hgetall(key: string): Promise<unknown> {
    return this.command((p) => p.hgetall(key));
  }

  lrange(key: string, start: number, stop: number): Promise<unknown[]> {
    return this.command((p) => p.lrange(key, start, stop));
  }

  get(key: string): Promise<unknown> {
    return this.command((p) => p.get(key));
  }

  /** SET with an expiry in seconds. */
  setEx(key: string, value: string, seconds: number): Promise<unknown> {
    return this.command((p) => p.set(key, value, { ex: seconds }));
  }

  del(...keys: string[]): Promise<number> {
    return this.command((p) => p.del(...keys));
  }

  evalsha<TData = unknown>(sha1: string, keys: string[], args: unknown[]): Promise<TData> {
    return this.command((p) => p.evalsha(sha1, keys, args));
  }

  eval<TData = unknown>(script: string, keys: string[], args: unknown[]): Promise<TData> {
    return this.command((p) => p.eval(script, keys, args));
  }
}

/** Whether Redis refused an EVALSHA because it does not hold the script (yet): send it with EVAL instead. */
export function isNoScript(error: unknown): boolean {
  return String(error).includes("NOSCRIPT");
}

/**
 * The Redis that @upstash/ratelimit is given: its scripts (EVALSHA, and EVAL when Redis does not hold them yet) join
 * the batch, so a limit checked beside a session read shares that read's round trip. Its typed surface is
 * `evalsha`, `get` and `set`; it also calls `eval` after a NOSCRIPT.
 */
export function ratelimitRedis(batch: RedisBatch, redis: Redis): Pick<Redis, "evalsha" | "eval" | "get" | "set"> {
  return {
    evalsha: <TArgs extends unknown[], TData = unknown>(sha1: string, keys: string[], args: TArgs) =>
      batch.evalsha<TData>(sha1, keys, args),
    eval: <TArgs extends unknown[], TData = unknown>(script: string, keys: string[], args: TArgs) => batch.eval<TData>(script, keys, args),
    get: redis.get,
    set: redis.set,
  };
}
