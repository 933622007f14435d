import { createHash } from "node:crypto";
import { callRedis } from "../clients/redis.ts";
import { isNoScript, type RedisBatch } from "../clients/redis-batch.ts";

/**
 * How long the answer to a request with an Idempotency-Key is kept and replayed (docs/api.md, Idempotency-Key): as
 * long as a session lives by default, so that a client retrying within a day never applies a request twice.
 */
export const IDEMPOTENCY_WINDOW_SECONDS = 86_400;

/**
 * How long a request that took a key holds it while it runs: past the functions' 15 s timeout, so that a request
 * Lambda killed half-way frees its key by itself (a retry meanwhile is 409 with Retry-After).
 */
export const IDEMPOTENCY_LOCK_SECONDS = 30;

/** A key's record as the store keeps it: a request still running, or the answer of one that succeeded. */
export type IdempotencyRecord =
  | { state: "running"; untilMs: number; fingerprint: string; holder: string }
  | { state: "answered"; untilMs: number; fingerprint: string; answer: string };

/** Where Idempotency-Key records live (RedisIdempotencyStore below); every call is one command of the request's batch. */
export interface IdempotencyStore {
  /**
   * Atomically takes `field` for a new request (writing `lock`) unless a record that is still valid (`untilMs` after
   * `nowMs`) holds it; answers that record, or null when the field was taken.
   */
  claim(bucket: string, field: string, lock: IdempotencyRecord, nowMs: number): Promise<IdempotencyRecord | null>;
  /** Replaces the lock with the answer. */
  save(bucket: string, field: string, record: IdempotencyRecord): Promise<void>;
  /** Frees the field, so that a retry runs again. */
  release(bucket: string, field: string): Promise<void>;
}

/**
 * Takes a key's field unless a record still valid holds it, in one atomic step (two requests racing for one key: one
 * takes it, the other reads the first's lock). A record is `<state>:<until ms, 15 digits>:<fingerprint>:<holder or answer>`,
 * so that the script reads its expiry without JSON. The hash's TTL is the window from the last claim, so that it
 * outlives every record in it. Exported for the parity test of the local Redis engines.
 */
export const CLAIM_IDEMPOTENCY_SCRIPT = `
local record = redis.call('HGET', KEYS[1], ARGV[1])
if record and tonumber(string.sub(record, 3, 17)) > tonumber(ARGV[2]) then return record end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[4]))
return false
`;
const CLAIM_IDEMPOTENCY_SHA = createHash("sha1").update(CLAIM_IDEMPOTENCY_SCRIPT).digest("hex");

/** The Redis hash of one scope's keys: a session's (erased with it, see lib/results/results.ts) or a client's. */
export function idempotencyHashKey(prefix: string, bucket: string): string {
  return `${prefix}:idempotency:{${bucket}}`;
}

function encode(record: IdempotencyRecord): string {
  const head = `${record.state === "running" ? "R" : "A"}:${String(record.untilMs).padStart(15, "0")}:${record.fingerprint}`;
  return `${head}:${record.state === "answered" ? record.answer : record.holder}`;
}

function decode(value: string): IdempotencyRecord {
  const [state, until, fingerprint = "", ...rest] = value.split(":");
  const untilMs = Number(until);
  const last = rest.join(":");
  return state === "A"
    ? { state: "answered", untilMs, fingerprint, answer: last }
    : { state: "running", untilMs, fingerprint, holder: last };
}

/**
 * The Idempotency-Key records on Redis: one hash per scope, one field per key. Its commands join the request's batch,
 * so that a claim sent beside the session read shares its round trip.
 */
export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly batch: RedisBatch,
    private readonly keyPrefix: string,
  ) {}

  async claim(bucket: string, field: string, lock: IdempotencyRecord, nowMs: number): Promise<IdempotencyRecord | null> {
    const keys = [idempotencyHashKey(this.keyPrefix, bucket)];
    const args = [field, String(nowMs), encode(lock), String(IDEMPOTENCY_WINDOW_SECONDS)];
    const existing = await callRedis(async () => {
      try {
        return await this.batch.evalsha<string | null>(CLAIM_IDEMPOTENCY_SHA, keys, args);
      } catch (error) {
        if (!isNoScript(error)) throw error;
        return this.batch.eval<string | null>(CLAIM_IDEMPOTENCY_SCRIPT, keys, args);
      }
    });
    return typeof existing === "string" && existing !== "" ? decode(existing) : null;
  }

  async save(bucket: string, field: string, record: IdempotencyRecord): Promise<void> {
    const key = idempotencyHashKey(this.keyPrefix, bucket);
    // One round trip: both commands join one pipeline.
    await callRedis(() =>
      Promise.all([
        this.batch.command((p) => p.hset(key, { [field]: encode(record) })),
        this.batch.command((p) => p.expire(key, IDEMPOTENCY_WINDOW_SECONDS)),
      ]),
    );
  }

  async release(bucket: string, field: string): Promise<void> {
    await callRedis(() => this.batch.command((p) => p.hdel(idempotencyHashKey(this.keyPrefix, bucket), field)));
  }
}
