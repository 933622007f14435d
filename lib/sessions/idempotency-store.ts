import { createHash } from "node:crypto";
import { callRedis } from "../clients/redis.ts";
import { isNoScript, type RedisBatch } from "../clients/redis-batch.ts";
import { IDEMPOTENCY_WINDOW_SECONDS, type IdempotencyRecord, type IdempotencyStore } from "./idempotency-records.ts";

export {
  IDEMPOTENCY_LOCK_SECONDS,
  IDEMPOTENCY_WINDOW_SECONDS,
  type IdempotencyRecord,
  type IdempotencyStore,
} from "./idempotency-records.ts";

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
