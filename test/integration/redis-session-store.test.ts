import { Redis } from "@upstash/redis";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { integrationRedis } from "../helpers/integration.ts";
import { ratelimitRedis, RedisBatch } from "../../lib/clients/redis-batch.ts";
import { enforceLimit, perSessionLimit } from "../../lib/limits/enforce.ts";
import { createUpstashRateLimiter } from "../../lib/limits/rate-limiter.ts";
import { RedisSessionStore, sessionKeys } from "../../lib/sessions/redis-session-store.ts";
import type { SessionMessage } from "../../lib/sessions/model.ts";
import { createSession, openSession } from "../../lib/sessions/sessions.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";

const services = inject("services");
const redis = integrationRedis();
const raw = new Redis({ url: services.redisUrl, token: services.redisToken, enableTelemetry: false });
const prefix = "hera:itest";
const message = (text: string): SessionMessage => ({ role: "user", text, at: "2026-11-22T00:00:00.000Z" });

describe(`a session's end on ${services.redisEngine}`, () => {
  // The store's clock runs ahead of the real one by `offsetSeconds`: Redis counts a TTL in real seconds from now.
  let offsetSeconds = 0;
  const clock = () => new Date(Date.now() + offsetSeconds * 1000);
  const store = new RedisSessionStore(redis, { ttlSeconds: 600, maxAgeSeconds: 1000, keyPrefix: prefix, now: clock });
  const fields = {
    tokenHash: "h",
    status: "collecting" as const,
    locale: "en" as const,
    createdAt: "2026-11-22T00:00:00.000Z",
    profile: {},
  };

  it("never lets the sliding TTL reach past creation + maxAgeSeconds, and takes no write from then on", async () => {
    // Prepare: a session created now; its end is 1000 s away.
    offsetSeconds = 0;
    const id = newSessionId();
    const keys = sessionKeys(prefix, id);
    const createdAt = Math.floor(clock().getTime() / 1000);
    await store.create(id, fields, [message("first")]);
    expect(await raw.ttl(keys.hash)).toBeGreaterThan(590);

    // Act: a write 700 s later slides the TTL only to the end, 300 s on.
    offsetSeconds = 700;
    expect((await store.save(id, { set: { userMessageCount: 1 } })).outcome).toBe("saved");

    // Assess: Redis forgets both keys at the end, and the session says so.
    for (const key of [keys.hash, keys.messages]) {
      const ttl = await raw.ttl(key);
      expect(ttl).toBeLessThanOrEqual(300);
      expect(ttl).toBeGreaterThan(290);
    }
    expect((await store.load(id))?.expiresAt).toBe(new Date((createdAt + 1000) * 1000).toISOString());

    // At the end (before Redis has dropped the keys in real time) no write lands.
    offsetSeconds = 1000;
    expect(await store.save(id, { set: { userMessageCount: 99 } })).toEqual({ outcome: "missing" });
    offsetSeconds = 0;
    expect((await store.load(id))?.userMessageCount).toBe(1);
  });

  it("gives a session created before ends were kept an end at its next write", async () => {
    offsetSeconds = 0;
    const id = newSessionId();
    const keys = sessionKeys(prefix, id);
    await store.create(id, fields, []);
    await raw.hdel(keys.hash, "endsAt");
    await raw.expire(keys.hash, 600);

    offsetSeconds = 500;
    await store.save(id, { set: { userMessageCount: 1 } });

    expect(Number(await raw.hget(keys.hash, "endsAt"))).toBe(Math.floor(clock().getTime() / 1000) + 1000);
    expect(await raw.ttl(keys.hash)).toBeGreaterThan(590);
  });
});

describe(`RedisSessionStore on ${services.redisEngine}`, () => {
  let store: RedisSessionStore;
  let id: string;

  beforeEach(async () => {
    store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: prefix });
    id = newSessionId();
    const created = await store.create(
      id,
      { tokenHash: "h", status: "collecting", locale: "ja", createdAt: "2026-11-22T00:00:00.000Z", profile: {} },
      [{ role: "assistant", text: "first", at: "2026-11-22T00:00:00.000Z" }],
    );
    expect(created?.expiresAt).toMatch(/^\d{4}-/);
  });

  it("refuses to create a session twice", async () => {
    expect(await store.create(id, { tokenHash: "other" }, [])).toBeNull();
    expect((await store.load(id))?.tokenHash).toBe("h");
  });

  it("keeps every part of a session across many single-field writes (the old session manager lost all but the last)", async () => {
    await store.save(id, { set: { profile: { age: 32 } } });
    await store.save(id, { set: { photo: { status: "pending", contentType: "image/png", key: "k", requestedAt: "t" } } });
    await store.save(id, { set: { images: { partner: { status: "pending", jobId: "j1", inputsHash: "x", requestedAt: "t" } } } });
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

describe(`Redis round trips per request on ${services.redisEngine}`, () => {
  // As the functions are wired (lib/wiring/sessions.ts, lib/wiring/limits.ts): the store and the limiters share
  // one batch, so what one request sends in the same turn of the event loop goes as one pipeline.
  const batch = new RedisBatch(redis);
  const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: prefix, batch });
  const limiter = (name: string, limit = 1000) =>
    createUpstashRateLimiter(ratelimitRedis(batch, redis), {
      prefix: `${prefix}:ratelimit:${name}:${newSessionId()}`,
      limit,
      window: "1 m",
      onUnavailable: "open",
    });
  const interviewer = { firstQuestion: async () => "How old are you?" };

  it("creating a session costs two: the limiter, then the create script", async () => {
    const sessions = limiter("sessions");
    await enforceLimit(sessions, "203.0.113.9"); // Redis now holds the limiter's script: steady state from here.

    const count = await countingFetch(async () => {
      await enforceLimit(sessions, "203.0.113.9");
      await createSession({ store, interviewer }, { locale: "en" });
    });

    expect(count).toBe(2);
  });

  it("posting a message costs two: the session read with the message limit, then the turn's write", async () => {
    // Prepare
    const created = await createSession({ store, interviewer }, { locale: "en" });
    const messages = limiter("messages");
    await enforceLimit(messages, created.sessionId);
    // Act: what functions/post-message.ts does with Redis
    const count = await countingFetch(async () => {
      const session = await openSession(store, created.sessionId, created.sessionToken, perSessionLimit(messages));
      const saved = await store.save(session.id, {
        expectedVersion: session.version,
        set: { userMessageCount: 1 },
        append: [message("32")],
      });
      expect(saved.outcome).toBe("saved");
    });
    // Assess
    expect(count).toBe(2);
    expect((await store.load(created.sessionId))?.messages.map((m) => m.text)).toEqual(["How old are you?", "32"]);
  });

  it("still refuses over the limit when the limiter shares the read's pipeline", async () => {
    const created = await createSession({ store, interviewer }, { locale: "en" });
    const messages = limiter("messages", 2);

    await openSession(store, created.sessionId, created.sessionToken, perSessionLimit(messages));
    await openSession(store, created.sessionId, created.sessionToken, perSessionLimit(messages));
    const third = openSession(store, created.sessionId, created.sessionToken, perSessionLimit(messages));

    await expect(third).rejects.toMatchObject({ status: 429, code: "rate_limited" });
  });

  it("keeps each command's error to itself, and sends a script Redis does not hold with EVAL", async () => {
    const id = newSessionId();
    await raw.scriptFlush();

    const [created, wrongType] = await Promise.all([
      store.create(id, { tokenHash: "h", status: "collecting" }, []),
      batch.evalsha("0000000000000000000000000000000000000000", [], []).catch((error: unknown) => error),
    ]);

    expect(created?.expiresAt).toMatch(/^\d{4}-/);
    expect(String(wrongType)).toContain("NOSCRIPT");
    expect((await store.load(id))?.status).toBe("collecting");
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
