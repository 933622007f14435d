import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { findRedisServerBinary, spawnRedisServer, type RedisProcess } from "../../dev/redis-process.ts";
import { startUpstashRest, type UpstashRestServer } from "../../dev/upstash-rest.ts";
import { createRedis } from "../../lib/clients/redis.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { postMessage } from "../../lib/sessions/turn.ts";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// Idempotency-Key through the real functions, on an Upstash REST endpoint of this file's own (its request count is
// the number of Redis round trips) behind a fault proxy (to lose answers on the way back).
const services = inject("services");
const TOKEN = "idempotency-token";
const PREFIX = "hera-idempotency-itest";
const binary = findRedisServerBinary();
let redisServer: RedisProcess | undefined;
let rest: UpstashRestServer;
let proxy: FaultProxy;
let redis: Redis;

type Handler = (event: HttpEvent, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  redisServer = binary ? await spawnRedisServer(binary) : undefined;
  rest = await startUpstashRest(
    redisServer
      ? { port: 0, token: TOKEN, redisUrl: `redis://${redisServer.host}:${redisServer.port}` }
      : { port: 0, token: TOKEN, engine: "memory" },
  );
  proxy = await startFaultProxy({ port: rest.port });
  redis = new Redis({ url: rest.url, token: TOKEN, enableTelemetry: false, automaticDeserialization: false });
  Object.assign(process.env, {
    UPSTASH_REDIS_REST_URL: proxy.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    PHOTO_BUCKET: services.bucket,
    RESULTS_TABLE: services.table,
    S3_ENDPOINT: services.s3Endpoint,
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    REDIS_KEY_PREFIX: PREFIX,
    STAGE: "dev",
    POWERTOOLS_LOG_LEVEL: "SILENT",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  for (const name of ["create-session", "post-message", "delete-session", "get-session"]) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
});

afterEach(async () => {
  await proxy.set("pass");
});

afterAll(async () => {
  await proxy?.close();
  await rest?.close();
  await redisServer?.stop();
});

const json = { "content-type": "application/json" };
let keys = 0;
const newKey = () => `itest-key-${Date.now()}-${++keys}-0123456789`;

async function openSession(headers: Record<string, string> = {}, sourceIp?: string): Promise<HttpResponse> {
  return handlers["create-session"]!(
    httpEvent({ body: JSON.stringify({ locale: "en" }), headers: { ...json, ...headers }, ...(sourceIp ? { sourceIp } : {}) }),
    fakeContext(),
  );
}

async function session(): Promise<{ sessionId: string; sessionToken: string }> {
  const response = await openSession();
  expect(response.statusCode).toBe(201);
  return JSON.parse(response.body ?? "{}") as { sessionId: string; sessionToken: string };
}

function message(opened: { sessionId: string; sessionToken: string }, text: string, key?: string): Promise<HttpResponse> {
  return handlers["post-message"]!(
    httpEvent({
      pathParameters: { sessionId: opened.sessionId },
      headers: { ...json, authorization: `Bearer ${opened.sessionToken}`, ...(key ? { "idempotency-key": key } : {}) },
      body: JSON.stringify({ text }),
    }),
    fakeContext(),
  );
}

async function userMessages(opened: { sessionId: string; sessionToken: string }): Promise<string[]> {
  const view = await handlers["get-session"]!(
    httpEvent({
      method: "GET",
      pathParameters: { sessionId: opened.sessionId },
      headers: { authorization: `Bearer ${opened.sessionToken}` },
    }),
    fakeContext(),
  );
  const body = JSON.parse(view.body ?? "{}") as { messages: Array<{ role: string; text: string }> };
  return body.messages.filter((m) => m.role === "user").map((m) => m.text);
}

/** The Redis round trips (requests reaching the REST endpoint) of one call. */
async function roundTrips<T>(action: () => Promise<T>): Promise<{ value: T; count: number }> {
  rest.resetRequestCount();
  const value = await action();
  return { value, count: rest.requestCount() };
}

describe("a message sent with an Idempotency-Key", () => {
  it("is stored once when sent twice, both answers byte-identical, at one extra Redis round trip", async () => {
    // Prepare: every script is loaded once (a first EVALSHA misses), so that the counts are those of a warm Redis.
    const warm = await session();
    await message(warm, "I'm 30");
    await message(warm, "female", newKey());
    const opened = await session();
    const key = newKey();

    // Act
    const plain = await roundTrips(() => message(opened, "I'm 31"));
    const first = await roundTrips(() => message(opened, "female", key));
    const second = await roundTrips(() => message(opened, "female", key));

    // Assess
    expect(plain.value.statusCode).toBe(200);
    expect(first.value.statusCode).toBe(200);
    expect(second.value.statusCode).toBe(200);
    expect(second.value.body).toBe(first.value.body);
    expect(await userMessages(opened)).toEqual(["I'm 31", "female"]);
    // The claim shares the session read's round trip; storing the answer is the one extra. A repeat reads and answers.
    expect(plain.count).toBe(2);
    expect(first.count).toBe(plain.count + 1);
    expect(second.count).toBe(1);
  });

  it("does the work once when the same request arrives twice at once: the other is 409 with Retry-After, or the same answer", async () => {
    const opened = await session();
    const key = newKey();

    const answers = await Promise.all([message(opened, "I'm 33", key), message(opened, "I'm 33", key)]);

    const ok = answers.filter((a) => a.statusCode === 200);
    const busy = answers.filter((a) => a.statusCode === 409);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    expect(ok.length + busy.length).toBe(2);
    for (const a of busy) {
      expect(JSON.parse(a.body ?? "{}").error.code).toBe("idempotency_key_in_use");
      expect(Number(a.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    }
    if (ok.length === 2) expect(ok[1]!.body).toBe(ok[0]!.body);
    expect(await userMessages(opened)).toEqual(["I'm 33"]);
  });

  it("refuses the same key with a different body with 422, storing nothing", async () => {
    const opened = await session();
    const key = newKey();
    await message(opened, "I'm 34", key);

    const other = await message(opened, "I'm 35", key);

    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body ?? "{}").error.code).toBe("idempotency_key_reused");
    expect(await userMessages(opened)).toEqual(["I'm 34"]);
  });

  it("is the same request only for the same token: another token with the key is still a 404", async () => {
    const opened = await session();
    const key = newKey();
    await message(opened, "I'm 36", key);
    const wrong = await message({ ...opened, sessionToken: "x".repeat(43) }, "I'm 36", key);
    expect(wrong.statusCode).toBe(404);
  });

  it("runs again after a 503: an outage leaves no answer and no lock behind", async () => {
    const opened = await session();
    const key = newKey();
    await proxy.set("http503");

    const failed = await message(opened, "I'm 37", key);
    await proxy.set("pass");
    const retried = await message(opened, "I'm 37", key);

    expect(failed.statusCode).toBe(503);
    expect(retried.statusCode).toBe(200);
    expect(await userMessages(opened)).toEqual(["I'm 37"]);
  });

  it("takes its own claim as claimed when the Redis client re-sends it after the answer was lost", async () => {
    const opened = await session();
    const key = newKey();
    await proxy.set("resetAfterForward");

    const answered = await message(opened, "I'm 38", key);

    expect(proxy.mode).toBe("pass"); // the fault fired
    expect(answered.statusCode).toBe(200);
    expect(await userMessages(opened)).toEqual(["I'm 38"]);
  });
});

describe("opening a session with an Idempotency-Key", () => {
  it("answers a repeat from the same client with the same session, byte for byte, and another client with its own", async () => {
    const key = newKey();
    const first = await openSession({ "idempotency-key": key }, "198.51.100.20");
    const second = await openSession({ "idempotency-key": key }, "198.51.100.20");
    const elsewhere = await openSession({ "idempotency-key": key }, "198.51.100.21");

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(JSON.parse(elsewhere.body ?? "{}").sessionId).not.toBe(JSON.parse(first.body ?? "{}").sessionId);
  });
});

describe("what the keys leave in Redis", () => {
  it("gives every key a TTL, keeps neither the key nor the answer readable, and erases a session's with it", async () => {
    const opened = await session();
    const key = newKey();
    await message(opened, "I'm 39, from Zanzibar", key);

    const stored = (await redis.keys(`${PREFIX}:dev:idempotency:*`)) as string[];
    expect(stored.length).toBeGreaterThan(0);
    for (const name of stored) expect(Number(await redis.ttl(name)), name).toBeGreaterThan(0);
    const mine = `${PREFIX}:dev:idempotency:{${opened.sessionId}}`;
    const dump = JSON.stringify(await redis.hgetall(mine));
    expect(dump).not.toContain(key);
    expect(dump).not.toContain("Zanzibar");

    const erased = await handlers["delete-session"]!(
      httpEvent({
        method: "DELETE",
        pathParameters: { sessionId: opened.sessionId },
        headers: { authorization: `Bearer ${opened.sessionToken}` },
      }),
      fakeContext(),
    );
    expect(erased.statusCode).toBe(204);
    expect(await redis.exists(mine)).toBe(0);
    expect((await message(opened, "I'm 39, from Zanzibar", key)).statusCode).toBe(404);
  });
});

describe("a turn's write re-sent by the Upstash client after a network error", () => {
  it("is applied once and answered, the provider asked once", async () => {
    // The store's client goes through the proxy and retries once, as the functions' does.
    const client = createRedis({
      UPSTASH_REDIS_REST_URL: proxy.url,
      UPSTASH_REDIS_REST_TOKEN: TOKEN,
      REDIS_TIMEOUT_MS: 5000,
      REDIS_RETRIES: 1,
    });
    const store = new RedisSessionStore(client, { ttlSeconds: 600, keyPrefix: `${PREFIX}-turns` });
    const local = createLocalInterviewer();
    let calls = 0;
    const interviewer = {
      ...local,
      reply: async (...args: Parameters<typeof local.reply>) => {
        calls++;
        return local.reply(...args);
      },
    };
    const { createSession } = await import("../../lib/sessions/sessions.ts");
    const created = await createSession({ store, interviewer }, { locale: "en" });
    const opened = (await store.load(created.sessionId))!;
    await proxy.set("resetAfterForward");

    // Act: the write is the only Redis call of the turn; it runs, its answer is lost, the client sends it again.
    const result = await postMessage({ store, interviewer, maxUserMessages: 100 }, opened, "I'm 41");

    // Assess
    expect(proxy.mode).toBe("pass"); // the fault fired
    expect(result.extracted).toEqual(["age"]);
    expect(calls).toBe(1);
    const stored = (await store.load(created.sessionId))!;
    expect(stored.userMessageCount).toBe(1);
    expect(stored.messages.map((m) => m.text)).toEqual([opened.messages[0]!.text, "I'm 41", result.reply]);
    expect(stored.version).toBe(opened.version + 1);
  });
});
