// What an Idempotency-Key record is and how long it lasts, apart from the Redis store (idempotency-store.ts), so that
// the HTTP chain of a function without Redis does not bundle its client.

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

/** Where Idempotency-Key records live (RedisIdempotencyStore in idempotency-store.ts); every call is one command of the request's batch. */
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
