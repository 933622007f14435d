import { describe, expect, it } from "vitest";
import { RateLimitedError, SessionNotFoundError } from "../../lib/errors.ts";
import { enforceLimit, perSessionLimit, sessionLimitKey } from "../../lib/limits/enforce.ts";
import type { RateLimiter } from "../../lib/limits/rate-limiter.ts";
import { createSession, openSession } from "../../lib/sessions/sessions.ts";
import { hashToken, newSessionId } from "../../lib/sessions/tokens.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

/** A limiter that allows `limit` calls per key, then refuses with a fixed wait. */
function countingLimiter(limit: number): RateLimiter & { calls: string[] } {
  const counts = new Map<string, number>();
  const calls: string[] = [];
  return {
    calls,
    async limit(key) {
      calls.push(key);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      return count <= limit ? { allowed: true, retryAfterSeconds: 0 } : { allowed: false, retryAfterSeconds: 42 };
    },
  };
}

describe("enforceLimit", () => {
  it("lets calls through up to the limit, then refuses with 429 and Retry-After, per key", async () => {
    const limiter = countingLimiter(2);
    await enforceLimit(limiter, "203.0.113.7");
    await enforceLimit(limiter, "203.0.113.7");
    const refused = await enforceLimit(limiter, "203.0.113.7").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect(refused).toMatchObject({ status: 429, code: "rate_limited", headers: { "Retry-After": "42" } });
    await expect(enforceLimit(limiter, "198.51.100.1")).resolves.toBeUndefined();
  });
});

describe("openSession with a limiter", () => {
  const interviewer = { firstQuestion: async () => "How old are you?" };

  async function opened() {
    const store = new MemorySessionStore();
    const created = await createSession({ store, interviewer }, { locale: "en" });
    return { store, created };
  }

  it("opens the session and counts the call under its id and its token's hash", async () => {
    // Prepare
    const { store, created } = await opened();
    const limiter = countingLimiter(5);
    // Act
    const session = await openSession(store, created.sessionId, created.sessionToken, perSessionLimit(limiter));
    // Assess
    expect(session.id).toBe(created.sessionId);
    expect(limiter.calls).toEqual([sessionLimitKey(created.sessionId, hashToken(created.sessionToken))]);
    expect(limiter.calls[0]).toMatch(new RegExp(`^${created.sessionId}:[0-9a-f]{32}$`));
    expect(limiter.calls[0]).not.toContain(created.sessionToken);
  });

  it("starts the limiter before the session read has answered, so both can share a round trip", async () => {
    const { store, created } = await opened();
    const order: string[] = [];
    const slowStore = {
      load: async (id: string) => {
        order.push("load");
        await new Promise((resolve) => setTimeout(resolve, 20));
        return store.load(id);
      },
    };
    const limiter: RateLimiter = {
      limit: async () => {
        order.push("limit");
        return { allowed: true, retryAfterSeconds: 0 };
      },
    };

    await openSession(slowStore, created.sessionId, created.sessionToken, perSessionLimit(limiter));

    expect(order).toEqual(["load", "limit"]);
  });

  it("answers 429 when the limit is spent, and 404 for a wrong token or an unknown id whatever the limiter says", async () => {
    const { store, created } = await opened();
    const spent = countingLimiter(0);

    await expect(openSession(store, created.sessionId, created.sessionToken, perSessionLimit(spent))).rejects.toBeInstanceOf(
      RateLimitedError,
    );
    await expect(openSession(store, created.sessionId, "wrong-token", perSessionLimit(spent))).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(openSession(store, newSessionId(), created.sessionToken, perSessionLimit(countingLimiter(5)))).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
  });

  it("never lets a caller without the token spend the owner's allowance", async () => {
    // Prepare: an allowance of 30, as MESSAGE_LIMIT has by default.
    const { store, created } = await opened();
    const limiter = countingLimiter(30);
    // Act: 31 calls with wrong tokens, as someone who saw the session id in a presigned URL could make.
    for (let i = 0; i < 31; i++) {
      const opened = openSession(store, created.sessionId, `wrong-token-${i % 2}`, perSessionLimit(limiter));
      await expect(opened).rejects.toBeInstanceOf(SessionNotFoundError);
    }
    // Assess: the owner still has the whole allowance.
    for (let i = 0; i < 30; i++) await openSession(store, created.sessionId, created.sessionToken, perSessionLimit(limiter));
    const spent = openSession(store, created.sessionId, created.sessionToken, perSessionLimit(limiter));
    await expect(spent).rejects.toBeInstanceOf(RateLimitedError);
  });

  it("does not count a malformed session id", async () => {
    const { store } = await opened();
    const limiter = countingLimiter(5);

    await expect(openSession(store, "../etc", "token", perSessionLimit(limiter))).rejects.toBeInstanceOf(SessionNotFoundError);

    expect(limiter.calls).toEqual([]);
  });
});
