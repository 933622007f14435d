import { integrationRedis } from "../helpers/integration.ts";
import { describe, expect, inject, it } from "vitest";
import { HttpError } from "../../lib/errors.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import { postMessage } from "../../lib/sessions/turn.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { createSession } from "../../lib/sessions/sessions.ts";

const services = inject("services");
const redis = integrationRedis();
const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: "hera:itest-messages" });
const local = createLocalInterviewer();
let providerCalls = 0;
const interviewer = {
  firstQuestion: local.firstQuestion,
  reply: async (...args: Parameters<typeof local.reply>) => {
    providerCalls++;
    return local.reply(...args);
  },
};

describe(`20 messages posted at once to one session (${services.redisEngine})`, () => {
  it("loses nothing and asks the provider once each: every 200 is in the history once, every 409 changed nothing", async () => {
    // Prepare
    const created = await createSession({ store, interviewer }, { locale: "en" });
    const session = (await store.load(created.sessionId))!;
    const texts = Array.from({ length: 20 }, (_, i) => `I'm ${20 + i}`);
    providerCalls = 0;

    // Act: every request starts from the same read, as concurrent Lambdas would.
    const outcomes = await Promise.all(
      texts.map((text) =>
        postMessage({ store, interviewer, maxUserMessages: 100 }, session, text).then(
          (result) => ({ text, result }),
          (error: unknown) => ({ text, error }),
        ),
      ),
    );

    // Assess
    const answered = outcomes.flatMap((o) => ("result" in o ? [o] : []));
    const refused = outcomes.flatMap((o) => ("error" in o ? [o] : []));
    for (const { error } of refused) {
      expect(error).toBeInstanceOf(HttpError);
      expect(error).toMatchObject({ status: 409, code: "session_busy", headers: { "Retry-After": "1" } });
    }
    expect(answered.length).toBeGreaterThan(0);
    // A write that lost the race is never recomputed: its answer is stale, and the request is refused instead.
    expect(providerCalls).toBe(20);
    expect(answered.length + refused.length).toBe(20);

    const stored = (await store.load(created.sessionId))!;
    const userTexts = stored.messages.filter((m) => m.role === "user").map((m) => m.text);
    expect(userTexts.sort()).toEqual(answered.map((a) => a.text).sort());
    expect(stored.messages).toHaveLength(1 + 2 * answered.length);
    expect(stored.userMessageCount).toBe(answered.length);
    for (const { result } of answered) {
      for (const field of result.extracted) expect(stored.profile[field]).toBeDefined();
    }
    // The first answer to land took the age question; the others then answered later questions or nothing.
    expect(stored.profile.age).toBeGreaterThanOrEqual(20);
  });
});
