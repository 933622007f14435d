import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { currentTime, type Clocked } from "../clock.ts";
import { callRedis } from "../clients/redis.ts";
import { isNoScript, RedisBatch } from "../clients/redis-batch.ts";
import type { Profile } from "../interview/profile.ts";
import type {
  ImageKind,
  ImageState,
  Locale,
  PhotoState,
  SaveResult,
  Session,
  SessionChange,
  SessionFields,
  SessionMessage,
  SessionStatus,
  SessionStore,
} from "./model.ts";

/** What the write script answers besides the new version (a positive number). */
const WRITE_OUTCOME = { missing: -1, taken: -2, conflict: -3 } as const;

/**
 * The one script of every write, so that checking the version, setting fields, appending messages and refreshing the
 * TTL of every key of the session happen in one atomic step and one round trip. Fields are set individually (HSET),
 * never by rewriting the whole session: a write cannot drop a part of the session that another write put there.
 * Its arguments are `writeArguments`'s; it answers the new version or a `WRITE_OUTCOME`.
 * A write with an id leaves it as `lastWrite`: when the Upstash client re-sends a batch whose answer a network error
 * lost, the write that did land is not applied again (its version no longer matches) and answers the version it
 * made, rather than a conflict.
 * Exported for the parity test of the local Redis engines.
 */
export const WRITE_SESSION_SCRIPT = `
local mode, expectedVersion, ttl, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), tonumber(ARGV[4])
local maxAge, writeId, fieldCount = ARGV[5], ARGV[6], tonumber(ARGV[7])
local firstMessage = 8 + fieldCount * 2
local exists = redis.call('EXISTS', KEYS[1]) == 1
if mode == 'create' then
  if exists then return ${WRITE_OUTCOME.taken} end
elseif not exists then
  return ${WRITE_OUTCOME.missing}
end
local endsAt = tonumber(redis.call('HGET', KEYS[1], 'endsAt') or '')
if endsAt and endsAt <= now then return ${WRITE_OUTCOME.missing} end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if expectedVersion ~= '' and tonumber(expectedVersion) ~= version then
  if writeId ~= '' and redis.call('HGET', KEYS[1], 'lastWrite') == writeId then return version end
  return ${WRITE_OUTCOME.conflict}
end
version = version + 1
local pairs = {'version', tostring(version)}
if writeId ~= '' then pairs[#pairs + 1] = 'lastWrite'; pairs[#pairs + 1] = writeId end
if not endsAt and maxAge ~= '' then
  endsAt = now + tonumber(maxAge)
  pairs[#pairs + 1] = 'endsAt'
  pairs[#pairs + 1] = tostring(endsAt)
end
for i = 8, firstMessage - 1 do pairs[#pairs + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(pairs))
if #ARGV >= firstMessage then redis.call('RPUSH', KEYS[2], unpack(ARGV, firstMessage, #ARGV)) end
if endsAt and endsAt - now < ttl then ttl = endsAt - now end
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return version
`;

/**
 * The write script's arguments, in the order it reads them: mode, expected version, TTL, now (epoch seconds), the
 * session's longest life (empty: none), the write's id (empty: none), the number of field pairs, the pairs, the messages.
 */
function writeArguments(write: {
  mode: "create" | "update";
  expectedVersion: number | undefined;
  ttlSeconds: number;
  nowSeconds: number;
  maxAgeSeconds: number | undefined;
  writeId: string | undefined;
  fieldPairs: string[];
  messages: SessionMessage[];
}): string[] {
  return [
    write.mode,
    write.expectedVersion === undefined ? "" : String(write.expectedVersion),
    String(write.ttlSeconds),
    String(write.nowSeconds),
    write.maxAgeSeconds === undefined ? "" : String(write.maxAgeSeconds),
    write.writeId ?? "",
    String(write.fieldPairs.length / 2),
    ...write.fieldPairs,
    ...write.messages.map((message) => JSON.stringify(message)),
  ];
}
const WRITE_SESSION_SHA = createHash("sha1").update(WRITE_SESSION_SCRIPT).digest("hex");

/** The hash field of the job of each kind of picture: the store's encoding of `Session.images`. */
const IMAGE_HASH_FIELDS = { partner: "partnerImage", child: "childImage" } as const satisfies Record<ImageKind, string>;

export interface RedisSessionStoreOptions extends Clocked {
  ttlSeconds: number;
  /**
   * The longest a session lives, however often it is written (SESSION_MAX_AGE_SECONDS): the sliding TTL never
   * reaches past `endsAt`, set at creation (or at the first write of a session older than this field), so the
   * objects and the result a session links to can be given a lifetime that covers it (docs/reliability.md).
   */
  maxAgeSeconds?: number;
  keyPrefix: string;
  /**
   * The batch the store's commands join; share one with the rate limiters so that a limit checked beside a read
   * travels in the read's round trip. By default the store has a batch of its own.
   */
  batch?: RedisBatch;
}

/** Keys of one session. The hash tag keeps both in one cluster slot, as a multi-key script needs. */
export function sessionKeys(prefix: string, id: string): { hash: string; messages: string; erasing: string } {
  const base = `${prefix}:session:{${id}}`;
  return { hash: base, messages: `${base}:messages`, erasing: `${prefix}:erasing:{${id}}` };
}

/** How long an erasure's tombstone stays when the erasure is never finished (the bucket's lifecycle ends it all). */
const ERASURE_TOMBSTONE_SECONDS = 7 * 86_400;

/** A SessionStore on Redis: one hash of fields and one list of messages per session, sharing a sliding TTL. */
export class RedisSessionStore implements SessionStore {
  private readonly batch: RedisBatch;

  constructor(
    redis: Redis,
    private readonly options: RedisSessionStoreOptions,
  ) {
    this.batch = options.batch ?? new RedisBatch(redis);
  }

  async create(id: string, fields: SessionFields, messages: SessionMessage[]): Promise<{ expiresAt: string } | null> {
    const now = currentTime(this.options);
    const expiresAt = this.expiryFrom(now);
    const result = await this.write("create", id, { set: { ...fields, expiresAt }, append: messages });
    return result === WRITE_OUTCOME.taken ? null : { expiresAt };
  }

  /** The sliding expiry of a write at `now`; a new session's end (now + maxAgeSeconds) caps it the same way. */
  private expiryFrom(now: Date): string {
    const ttl = Math.min(this.options.ttlSeconds, this.options.maxAgeSeconds ?? Number.POSITIVE_INFINITY);
    return new Date(now.getTime() + ttl * 1000).toISOString();
  }

  async load(id: string): Promise<Session | null> {
    const keys = sessionKeys(this.options.keyPrefix, id);
    // Both in one pipeline: one round trip, with whatever else this turn of the event loop sends (a limiter).
    const [hash, messages] = await callRedis(() => Promise.all([this.batch.hgetall(keys.hash), this.batch.lrange(keys.messages, 0, -1)]));
    const fields = toRecord(hash);
    if (Object.keys(fields).length === 0) return null;
    return decodeSession(id, fields, messages ?? []);
  }

  async save(id: string, change: SessionChange): Promise<SaveResult> {
    const result = await this.write("update", id, change);
    if (result === WRITE_OUTCOME.missing) return { outcome: "missing" };
    if (result === WRITE_OUTCOME.conflict) return { outcome: "conflict" };
    return { outcome: "saved", version: result };
  }

  async remove(id: string): Promise<boolean> {
    const keys = sessionKeys(this.options.keyPrefix, id);
    const removed = await callRedis(() => this.batch.del(keys.hash, keys.messages));
    return Number(removed) > 0;
  }

  async beginErasure(id: string, ownerTokenHash: string, alsoKeys: string[]): Promise<boolean> {
    const keys = sessionKeys(this.options.keyPrefix, id);
    // One round trip, in this order: the tombstone first, so that it exists whenever the session no longer does.
    const [, removed] = await callRedis(() =>
      Promise.all([
        this.batch.setEx(keys.erasing, ownerTokenHash, ERASURE_TOMBSTONE_SECONDS),
        this.batch.del(keys.hash, keys.messages, ...alsoKeys),
      ]),
    );
    return Number(removed) > 0;
  }

  async erasureOwner(id: string): Promise<string | null> {
    const owner = await callRedis(() => this.batch.get(sessionKeys(this.options.keyPrefix, id).erasing));
    return typeof owner === "string" && owner !== "" ? owner : null;
  }

  async endErasure(id: string, alsoKeys: string[]): Promise<void> {
    await callRedis(() => this.batch.del(sessionKeys(this.options.keyPrefix, id).erasing, ...alsoKeys));
  }

  private async write(mode: "create" | "update", id: string, change: SessionChange): Promise<number> {
    const keys = sessionKeys(this.options.keyPrefix, id);
    const now = currentTime(this.options);
    const fields: SessionFields = { ...change.set, updatedAt: now.toISOString(), expiresAt: this.expiryFrom(now) };
    const args = writeArguments({
      mode,
      expectedVersion: change.expectedVersion,
      ttlSeconds: this.options.ttlSeconds,
      nowSeconds: Math.floor(now.getTime() / 1000),
      maxAgeSeconds: this.options.maxAgeSeconds,
      writeId: change.writeId,
      fieldPairs: encodeFields(fields),
      messages: change.append ?? [],
    });
    const result = await callRedis(async () => {
      try {
        return await this.batch.evalsha<number>(WRITE_SESSION_SHA, [keys.hash, keys.messages], args);
      } catch (error) {
        // Once per Redis (and after a SCRIPT FLUSH): it does not hold the script yet, so it is sent whole.
        if (!isNoScript(error)) throw error;
        return this.batch.eval<number>(WRITE_SESSION_SCRIPT, [keys.hash, keys.messages], args);
      }
    });
    return Number(result);
  }
}

/** The hash's field–value pairs of a change: plain fields as text, the profile, photo and each picture's job as JSON. */
function encodeFields(fields: SessionFields): string[] {
  const { images, profile, photo, ...plain } = fields;
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(plain)) if (value !== undefined) pairs.push(name, String(value));
  if (profile !== undefined) pairs.push("profile", JSON.stringify(profile));
  if (photo !== undefined) pairs.push("photo", JSON.stringify(photo));
  for (const kind of Object.keys(IMAGE_HASH_FIELDS) as ImageKind[]) {
    const image = images?.[kind];
    if (image !== undefined) pairs.push(IMAGE_HASH_FIELDS[kind], JSON.stringify(image));
  }
  return pairs;
}

/** HGETALL comes back as a flat [field, value, ...] array when the client does not deserialize. */
function toRecord(value: unknown): Record<string, unknown> {
  if (!value) return {};
  if (!Array.isArray(value)) return value as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < value.length; i += 2) record[String(value[i])] = value[i + 1];
  return record;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
}

function json<T>(value: unknown, fallback: T): T {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "string") return value as T;
  return JSON.parse(value) as T;
}

/** A session's sliding expiry, or its end when that comes first (what Redis's own TTL does, see the write script). */
function cappedExpiry(expiresAt: string, endsAt: string): string {
  const end = Number(endsAt) * 1000;
  if (endsAt === "" || !Number.isFinite(end) || Date.parse(expiresAt) <= end) return expiresAt;
  return new Date(end).toISOString();
}

function decodeSession(id: string, hash: Record<string, unknown>, messages: unknown[]): Session {
  const completedAt = text(hash.completedAt);
  return {
    id,
    tokenHash: text(hash.tokenHash),
    status: text(hash.status) as SessionStatus,
    locale: text(hash.locale) as Locale,
    createdAt: text(hash.createdAt),
    updatedAt: text(hash.updatedAt),
    expiresAt: cappedExpiry(text(hash.expiresAt), text(hash.endsAt)),
    ...(completedAt ? { completedAt } : {}),
    profile: json<Profile>(hash.profile, {}),
    userMessageCount: Number(text(hash.userMessageCount) || "0"),
    photo: json<PhotoState | null>(hash.photo, null),
    images: {
      partner: json<ImageState | null>(hash[IMAGE_HASH_FIELDS.partner], null),
      child: json<ImageState | null>(hash[IMAGE_HASH_FIELDS.child], null),
    },
    messages: messages.map((message) => json<SessionMessage>(message, { role: "assistant", text: "", at: "" })),
    version: Number(text(hash.version) || "0"),
  };
}
