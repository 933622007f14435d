import { Redis } from "@upstash/redis";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createRedis } from "../../lib/clients/redis.ts";
import { RedisSessionStore, sessionKeys } from "../../lib/sessions/redis-session-store.ts";
import type { SessionMessage } from "../../lib/sessions/model.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";

const services = inject("services");
const redis = createRedis({
  UPSTASH_REDIS_REST_URL: services.redisUrl,
  UPSTASH_REDIS_REST_TOKEN: services.redisToken,
  REDIS_TIMEOUT_MS: 5000,
  REDIS_RETRIES: 0,
});
const raw = new Redis({ url: services.redisUrl, token: services.redisToken, enableTelemetry: false });
const prefix = "hera:itest";
const message = (text: string): SessionMessage => ({ role: "user", text, at: "2026-11-22T00:00:00.000Z" });

describe(`RedisSessionStore on ${services.redisEngine}`, () => {
  let store: RedisSessionStore;
  let id: string;

  beforeEach(async () => {
    store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: prefix });
    id = newSessionId();
    const created = await store.create(id, { tokenHash: "h", status: "collecting", locale: "ja", createdAt: "2026-11-22T00:00:00.000Z", profile: {} }, [
      { role: "assistant", text: "first", at: "2026-11-22T00:00:00.000Z" },
    ]);
    expect(created?.expiresAt).toMatch(/^\d{4}-/);
  });

  it("refuses to create a session twice", async () => {
    expect(await store.create(id, { tokenHash: "other" }, [])).toBeNull();
    expect((await store.load(id))?.tokenHash).toBe("h");
  });

  it("keeps every part of a session across many single-field writes (the old session manager lost all but the last)", async () => {
    await store.save(id, { set: { profile: { age: 32 } } });
    await store.save(id, { set: { photo: { status: "pending", contentType: "image/png", key: "k", requestedAt: "t" } } });
    await store.save(id, { set: { partnerImage: { status: "pending", jobId: "j1", inputsHash: "x", requestedAt: "t" } } });
    await store.save(id, { set: { userMessageCount: 1 }, append: [message("hello")] });

    const session = await store.load(id);
    expect(session).toMatchObject({
      tokenHash: "h",
      status: "collecting",
      locale: "ja",
      createdAt: "2026-11-22T00:00:00.000Z",
      profile: { age: 32 },
      photo: { status: "pending", contentType: "image/png" },
      images: { partner: { jobId: "j1" }, child: null },
      userMessageCount: 1,
      version: 5,
    });
    expect(session?.messages.map((m) => m.text)).toEqual(["first", "hello"]);
  });

  it("refreshes the TTL of every key of the session on each write", async () => {
    const keys = sessionKeys(prefix, id);
    await raw.expire(keys.hash, 5);
    await raw.expire(keys.messages, 5);
    await store.save(id, { set: { status: "collecting" } });
    expect(await raw.ttl(keys.hash)).toBeGreaterThan(590);
    expect(await raw.ttl(keys.messages)).toBeGreaterThan(590);
    const session = await store.load(id);
    expect(Date.parse(session!.expiresAt) - Date.parse(session!.updatedAt)).toBe(600_000);
  });

  it("applies a versioned write only at that version, and changes nothing on a conflict", async () => {
    const current = await store.load(id);
    const first = await store.save(id, { expectedVersion: current!.version, set: { userMessageCount: 1 }, append: [message("a")] });
    const stale = await store.save(id, { expectedVersion: current!.version, set: { userMessageCount: 99 }, append: [message("b")] });
    expect(first.outcome).toBe("saved");
    expect(stale).toEqual({ outcome: "conflict" });
    const after = await store.load(id);
    expect(after?.userMessageCount).toBe(1);
    expect(after?.messages.map((m) => m.text)).toEqual(["first", "a"]);
  });

  it("loses nothing when 20 writers race on one session", async () => {
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(id, { set: {}, append: [message(`m${i}`)] })));
    const session = await store.load(id);
    expect(session?.messages).toHaveLength(21);
    expect(new Set(session?.messages.map((m) => m.text)).size).toBe(21);
    expect(session?.version).toBe(21);
  });

  it("does not resurrect a missing session and erases every key", async () => {
    expect(await store.remove(id)).toBe(true);
    expect(await store.load(id)).toBeNull();
    expect(await store.save(id, { set: { status: "completed" } })).toEqual({ outcome: "missing" });
    const keys = sessionKeys(prefix, id);
    expect(await raw.exists(keys.hash, keys.messages)).toBe(0);
    expect(await store.remove(id)).toBe(false);
  });

  it("reads a whole session in one HTTP round trip", async () => {
    const before = await countingFetch(() => store.load(id));
    expect(before).toBe(1);
  });
});

async function countingFetch(action: () => Promise<unknown>): Promise<number> {
  const original = globalThis.fetch;
  let count = 0;
  globalThis.fetch = ((...args: Parameters<typeof fetch>) => {
    count++;
    return original(...args);
  }) as typeof fetch;
  try {
    await action();
  } finally {
    globalThis.fetch = original;
  }
  return count;
}
