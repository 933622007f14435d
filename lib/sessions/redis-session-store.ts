import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { currentTime, type Clocked } from "../clock.ts";
import { callRedis } from "../clients/redis.ts";
import { isNoScript, RedisBatch } from "../clients/redis-batch.ts";
import type { Profile } from "../interview/profile.ts";
import type {
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

/**
 * The one script of every write, so that checking the version, setting fields, appending messages and refreshing the
 * TTL of every key of the session happen in one atomic step and one round trip. Fields are set individually (HSET),
 * never by rewriting the whole session: a write cannot drop a part of the session that another write put there.
 * A write with an id (ARGV[4]) leaves it as `lastWrite`: when the Upstash client re-sends a batch whose answer a network
 * error lost, the write that did land is not applied again (its version no longer matches) and answers the version
 * it made, rather than a conflict.
 * Exported for the parity test of the local Redis engines.
 */
export const WRITE_SESSION_SCRIPT = `
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[1] == 'create' then
  if exists then return -2 end
elseif not exists then
  return -1
end
local version = tonumber(redis.call('HGET', KEYS[1], 'version') or '0')
if ARGV[2] ~= '' and tonumber(ARGV[2]) ~= version then
  if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'lastWrite') == ARGV[4] then return version end
  return -3
end
version = version + 1
local n = tonumber(ARGV[5])
local pairs = {'version', tostring(version)}
if ARGV[4] ~= '' then pairs[#pairs + 1] = 'lastWrite'; pairs[#pairs + 1] = ARGV[4] end
for i = 1, n * 2 do pairs[#pairs + 1] = ARGV[5 + i] end
redis.call('HSET', KEYS[1], unpack(pairs))
local first = 6 + n * 2
if #ARGV >= first then redis.call('RPUSH', KEYS[2], unpack(ARGV, first, #ARGV)) end
local ttl = tonumber(ARGV[3])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
return version
`;
const WRITE_SESSION_SHA = createHash("sha1").update(WRITE_SESSION_SCRIPT).digest("hex");

const JSON_FIELDS = new Set<keyof SessionFields>(["profile", "photo", "partnerImage", "childImage"]);

export interface RedisSessionStoreOptions extends Clocked {
  ttlSeconds: number;
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
    const expiresAt = this.expiryFrom(currentTime(this.options));
    const result = await this.write("create", id, { set: { ...fields, expiresAt }, append: messages });
    return result > 0 ? { expiresAt } : null;
  }

  private expiryFrom(now: Date): string {
    return new Date(now.getTime() + this.options.ttlSeconds * 1000).toISOString();
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
    if (result === -1) return { outcome: "missing" };
    if (result === -3) return { outcome: "conflict" };
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
    const pairs = encodeFields(fields);
    const args = [
      mode,
      change.expectedVersion === undefined ? "" : String(change.expectedVersion),
      String(this.options.ttlSeconds),
      change.writeId ?? "",
      String(pairs.length / 2),
      ...pairs,
      ...(change.append ?? []).map((message) => JSON.stringify(message)),
    ];
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

function encodeFields(fields: SessionFields): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(fields) as Array<[keyof SessionFields, unknown]>) {
    if (value === undefined) continue;
    pairs.push(name, JSON_FIELDS.has(name) ? JSON.stringify(value) : String(value));
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

function decodeSession(id: string, hash: Record<string, unknown>, messages: unknown[]): Session {
  const completedAt = text(hash.completedAt);
  return {
    id,
    tokenHash: text(hash.tokenHash),
    status: text(hash.status) as SessionStatus,
    locale: text(hash.locale) as Locale,
    createdAt: text(hash.createdAt),
    updatedAt: text(hash.updatedAt),
    expiresAt: text(hash.expiresAt),
    ...(completedAt ? { completedAt } : {}),
    profile: json<Profile>(hash.profile, {}),
    userMessageCount: Number(text(hash.userMessageCount) || "0"),
    photo: json<PhotoState | null>(hash.photo, null),
    images: {
      partner: json<ImageState | null>(hash.partnerImage, null),
      child: json<ImageState | null>(hash.childImage, null),
    },
    messages: messages.map((message) => json<SessionMessage>(message, { role: "assistant", text: "", at: "" })),
    version: Number(text(hash.version) || "0"),
  };
}
