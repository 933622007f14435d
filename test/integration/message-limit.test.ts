import { beforeAll, describe, expect, inject, it } from "vitest";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// The message limit through the real function and the real limiter on Redis: whoever has seen a session id (it is in
// every presigned URL's path) but not its token must not be able to spend the owner's allowance.
const services = inject("services");
type Handler = (event: HttpEvent, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse>;
let createSession: Handler;
let postMessage: Handler;

beforeAll(async () => {
  Object.assign(process.env, {
    UPSTASH_REDIS_REST_URL: services.redisUrl,
    UPSTASH_REDIS_REST_TOKEN: services.redisToken,
    PHOTO_BUCKET: services.bucket,
    RESULTS_TABLE: services.table,
    S3_ENDPOINT: services.s3Endpoint,
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    REDIS_KEY_PREFIX: "hera-message-limit",
    MESSAGE_LIMIT: "30",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  ({ handler: createSession } = (await import("../../functions/create-session.ts")) as { handler: Handler });
  ({ handler: postMessage } = (await import("../../functions/post-message.ts")) as { handler: Handler });
});

const json = { "content-type": "application/json" };
const message = (sessionId: string, token: string, text = "I'm 30") =>
  httpEvent({ pathParameters: { sessionId }, headers: { ...json, authorization: `Bearer ${token}` }, body: JSON.stringify({ text }) });

describe(`the message limit (${services.redisEngine})`, () => {
  it("is not spent by 31 calls with wrong tokens: the owner still gets 200, and 429 only after the whole allowance", async () => {
    // Prepare
    const created = await createSession(httpEvent({ body: JSON.stringify({ locale: "en" }), headers: json }), fakeContext());
    const { sessionId, sessionToken } = JSON.parse(created.body ?? "{}") as { sessionId: string; sessionToken: string };

    // Act: one wrong token again and again, then fresh wrong tokens.
    const wrong: number[] = [];
    for (let i = 0; i < 31; i++) {
      const token = i < 20 ? "x".repeat(43) : `wrong-${i}-${"y".repeat(36)}`;
      wrong.push((await postMessage(message(sessionId, token), fakeContext())).statusCode);
    }
    const owner = await postMessage(message(sessionId, sessionToken), fakeContext());

    // Assess
    expect(new Set(wrong)).toEqual(new Set([404]));
    expect(owner.statusCode).toBe(200);
    // The owner's own allowance is whole: 29 more answers, then the 31st call of the owner is refused.
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) statuses.push((await postMessage(message(sessionId, sessionToken, "pass"), fakeContext())).statusCode);
    expect(statuses.slice(0, 29).every((status) => status === 200)).toBe(true);
    expect(statuses[29]).toBe(429);
  });
});
