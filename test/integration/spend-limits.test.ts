import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { startUpstashRest, type UpstashRestServer } from "../../dev/upstash-rest.ts";
import { createRedis } from "../../lib/clients/redis.ts";
import { RedisBatch } from "../../lib/clients/redis-batch.ts";
import { createSpendLimiter } from "../../lib/limits/spend.ts";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// The per-client caps and the stage budget of chat turns through the real functions, on a Redis of this file's own
// (an Upstash REST endpoint that counts the requests it gets, so that a message's round trips can be counted).
const services = inject("services");
const TOKEN = "spend-limits-token";
const PREFIX = "hera-spend-limits";
let rest: UpstashRestServer;
type Handler = (event: HttpEvent, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse>;
let createSession: Handler;
let postMessage: Handler;
let emitted: string[] = [];

beforeAll(async () => {
  rest = await startUpstashRest({ port: 0, token: TOKEN });
  Object.assign(process.env, {
    UPSTASH_REDIS_REST_URL: rest.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    PHOTO_BUCKET: services.bucket,
    RESULTS_TABLE: services.table,
    S3_ENDPOINT: services.s3Endpoint,
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    REDIS_KEY_PREFIX: PREFIX,
    SESSION_CREATE_LIMIT: "1000",
    CHAT_TURNS_PER_CLIENT_PER_HOUR: "3",
    CHAT_TURNS_PER_DAY: "5",
    POWERTOOLS_METRICS_DISABLED: "false",
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  ({ handler: createSession } = (await import("../../functions/create-session.ts")) as { handler: Handler });
  ({ handler: postMessage } = (await import("../../functions/post-message.ts")) as { handler: Handler });
  // Powertools writes the EMF lines to stdout through a console of its own.
  const write = process.stdout.write.bind(process.stdout);
  vi.spyOn(process.stdout, "write").mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (!text.includes('"_aws"')) return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
    emitted.push(...text.split("\n").filter((line) => line.includes('"_aws"')));
    return true;
  }) as typeof process.stdout.write);
});

afterAll(async () => {
  vi.restoreAllMocks();
  await rest?.close();
});

const json = { "content-type": "application/json" };

async function open(sourceIp: string): Promise<{ sessionId: string; sessionToken: string }> {
  const created = await createSession(httpEvent({ body: JSON.stringify({ locale: "en" }), headers: json, sourceIp }), fakeContext());
  expect(created.statusCode).toBe(201);
  return JSON.parse(created.body ?? "{}") as { sessionId: string; sessionToken: string };
}

function send(session: { sessionId: string; sessionToken: string }, sourceIp: string, token = session.sessionToken) {
  return postMessage(
    httpEvent({
      pathParameters: { sessionId: session.sessionId },
      headers: { ...json, authorization: `Bearer ${token}` },
      body: JSON.stringify({ text: "I'm 30" }),
      sourceIp,
    }),
    fakeContext(),
  );
}

const code = (response: HttpResponse) => (JSON.parse(response.body ?? "{}") as { error?: { code?: string } }).error?.code;

describe("chat turns per client address and per stage", () => {
  it("costs a message 2 round trips to Redis, the per-client and stage counts included", async () => {
    // Prepare: a session, and one message first so that every script is known (an EVALSHA miss costs one more, once).
    const session = await open("198.51.100.1");
    await send(session, "198.51.100.1");

    // Act
    rest.resetRequestCount();
    const answered = await send(session, "198.51.100.1");

    // Assess
    expect(answered.statusCode).toBe(200);
    expect(rest.requestCount()).toBe(2);
  });

  it("refuses one address past its cap across its sessions, not another; then the stage's budget refuses everyone", async () => {
    // Prepare: the first test spent 2 turns of the stage's 5 (and of 198.51.100.1's 3).
    const a1 = await open("198.51.100.2");
    const a2 = await open("198.51.100.2");
    const b = await open("198.51.100.3");
    const c = await open("198.51.100.4");
    emitted = [];

    // Act: 198.51.100.2 takes its 3 over two sessions, then is refused, again and again.
    const first = [await send(a1, "198.51.100.2"), await send(a2, "198.51.100.2"), await send(a1, "198.51.100.2")];
    const refused = [];
    for (let i = 0; i < 5; i++) refused.push(await send(i % 2 ? a1 : a2, "198.51.100.2"));
    // ...which spent nothing of the stage: the day has 5, 2 + 3 are spent.
    const other = await send(b, "198.51.100.3");
    const afterBudget = await send(c, "198.51.100.4");

    // Assess
    expect(first.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    for (const response of refused) {
      expect(response.statusCode).toBe(429);
      expect(code(response)).toBe("client_chat_limit");
      const retryAfter = Number(response.headers["Retry-After"]);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(3600);
    }
    expect(other.statusCode).toBe(503);
    expect(code(other)).toBe("chat_budget_exhausted");
    expect(afterBudget.statusCode).toBe(503);
    expect(Number(afterBudget.headers["Retry-After"])).toBeLessThanOrEqual(86_400);
    const metrics = emitted.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(metrics.filter((m) => m.ChatTurnsToday !== undefined).map((m) => m.ChatTurnsToday)).toEqual([3, 4, 5]);
    expect(metrics.filter((m) => m.ClientLimited !== undefined)).toHaveLength(5);
    expect(metrics.filter((m) => m.ChatBudgetExhausted !== undefined)).toHaveLength(2);
  });

  it("keeps a time to live on every key it writes", async () => {
    // Prepare: a limiter of its own, so that the keys are known.
    const redis = createRedis({
      UPSTASH_REDIS_REST_URL: rest.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      REDIS_TIMEOUT_MS: 5000,
      REDIS_RETRIES: 0,
    });
    const limiter = createSpendLimiter(new RedisBatch(redis), {
      kind: "image",
      prefix: `${PREFIX}:ttl`,
      perClientPerHour: 1,
      perStagePerDay: 10,
      onUnavailable: "closed",
    });

    // Act
    await limiter.spend("2001:db8::1");
    await limiter.spend("2001:db8::2").catch(() => undefined);

    // Assess: every key of the stage (sessions, limits, spend counters) expires.
    const keys = await redis.keys(`${PREFIX}:*`);
    expect(keys.some((key) => key.startsWith(`${PREFIX}:ttl:image:client:2001:db8:0:0::/64:`))).toBe(true);
    expect(keys.length).toBeGreaterThan(5);
    for (const key of keys) expect({ key, ttl: await redis.pttl(key) }).toMatchObject({ ttl: expect.any(Number) });
    for (const key of keys) expect(await redis.pttl(key)).toBeGreaterThan(0);
  });
});
