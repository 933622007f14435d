import { Redis } from "@upstash/redis";
import { describe, expect, inject, it } from "vitest";
import { sessionKeys } from "../../lib/sessions/redis-session-store.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { api, heraClient } from "../helpers/api.ts";
import { asOwner, completeInterviewOverHttp, openSessionOverHttp } from "../helpers/flows.ts";

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });

describe.each(["ja", "en"] as const)("the interview in %s over HTTP", (locale) => {
  it("completes the profile by answering the questions naturally", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, locale);
    const last = await completeInterviewOverHttp(stack.baseUrl, session, locale);

    expect(last).toMatchObject({ profileComplete: true, missingFields: [], status: "collecting", profile: INTERVIEWS[locale].profile });
    const { data: view } = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.profile).toEqual(INTERVIEWS[locale].profile);
    const userTexts = view!.messages.filter((m) => m.role === "user").map((m) => m.text);
    expect(userTexts).toEqual(INTERVIEWS[locale].answers);
    expect(view!.messages).toHaveLength(1 + 2 * INTERVIEWS[locale].answers.length);
  });
});

describe("posting messages", () => {
  it("refuses empty, too long and malformed messages, storing nothing", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const path = `/api/sessions/${session.sessionId}/messages`;
    for (const json of [{ text: "" }, { text: "   " }, { text: "x".repeat(2001) }, { text: 5 }, {}, { text: "hi", extra: 1 }]) {
      const response = await api(stack.baseUrl, "POST", path, { json, token: session.sessionToken });
      expect(response.status, JSON.stringify(json).slice(0, 40)).toBe(400);
    }
    expect((await api(stack.baseUrl, "POST", path, { json: { text: "I'm 30" } })).status).toBe(401);
    expect((await api(stack.baseUrl, "POST", path, { json: { text: "I'm 30" }, token: "wrong" })).status).toBe(404);
    const { data: view } = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.messages).toHaveLength(1);
  });

  it("refuses text with nothing visible or with control characters, and JSON in another charset, storing nothing", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const path = `/api/sessions/${session.sessionId}/messages`;
    for (const text of ["\u200b", "\u0000", "\u200b\u200c\u200d\u2060", " \u200b\n\t ", "hi\u0000there", "\u001b[2J", "\u3164"]) {
      const response = await api<{ error: { code: string; details: { fields: Array<{ field: string }> } } }>(stack.baseUrl, "POST", path, {
        json: { text },
        token: session.sessionToken,
      });
      expect(response.status, JSON.stringify(text)).toBe(400);
      expect(new Set(response.body.error.details.fields.map((field) => field.field))).toEqual(new Set(["text"]));
    }
    const latin1 = await api<{ error: { code: string } }>(stack.baseUrl, "POST", path, {
      rawBody: JSON.stringify({ text: "I'm 30" }),
      headers: { "Content-Type": "application/json; charset=iso-8859-1" },
      token: session.sessionToken,
    });
    expect(latin1.status).toBe(415);
    expect(latin1.body.error.code).toBe("unsupported_media_type");

    const { data: view } = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.messages).toHaveLength(1);
    expect(view!.profile).toEqual({});
    expect(await redis.hget(sessionKeys(stack.redisKeyPrefix, session.sessionId).hash, "userMessageCount")).toBe(0);
  });

  it("counts a message's length in code points: 2000 emoji are accepted", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const text = "\u{1f600}".repeat(2000);
    const client = heraClient(stack.baseUrl);
    const { response } = await client.POST("/api/sessions/{sessionId}/messages", { ...asOwner(session), body: { text } });
    expect(response.status).toBe(200);
    const { data: view } = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.messages[1]?.text).toBe(text);
  });

  it("accepts a message of exactly 2000 characters", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const { response } = await heraClient(stack.baseUrl).POST("/api/sessions/{sessionId}/messages", {
      ...asOwner(session),
      body: { text: "a".repeat(2000) },
    });
    expect(response.status).toBe(200);
  });

  it("refreshes the TTL of every session key", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const keys = sessionKeys(stack.redisKeyPrefix, session.sessionId);
    await redis.expire(keys.hash, 30);
    await redis.expire(keys.messages, 30);
    await heraClient(stack.baseUrl).POST("/api/sessions/{sessionId}/messages", { ...asOwner(session), body: { text: "I'm 30" } });
    expect(await redis.ttl(keys.hash)).toBeGreaterThan(86_000);
    expect(await redis.ttl(keys.messages)).toBeGreaterThan(86_000);
  });
});

describe("a message sent with an Idempotency-Key over HTTP", () => {
  const post = (session: { sessionId: string; sessionToken: string }, text: string, key: string) =>
    fetch(`${stack.baseUrl}/api/sessions/${session.sessionId}/messages`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${session.sessionToken}`, "Idempotency-Key": key },
      body: JSON.stringify({ text }),
      signal: AbortSignal.timeout(30_000),
    });

  it("is stored once when sent twice, with byte-identical answers; another body under the key is 422", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const key = crypto.randomUUID();

    const first = await post(session, "I'm 30", key);
    const second = await post(session, "I'm 30", key);
    const other = await post(session, "I'm 31", key);

    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await second.text()).toBe(await first.text());
    expect(other.status).toBe(422);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe("idempotency_key_reused");
    const { data: view } = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.messages.filter((m) => m.role === "user").map((m) => m.text)).toEqual(["I'm 30"]);
  });
});
