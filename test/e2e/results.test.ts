import { DynamoDBClient, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { Redis } from "@upstash/redis";
import sharp from "sharp";
import { describe, expect, inject, it } from "vitest";
import { sessionKeys } from "../../lib/sessions/redis-session-store.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { api, heraClient } from "../helpers/api.ts";
import { asOwner, completeInterviewOverHttp, openSessionOverHttp, uploadPhotoOverHttp } from "../helpers/flows.ts";

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });

const client = heraClient(stack.baseUrl);

describe("complete → result → delete over HTTP", () => {
  it("refuses to complete an unfinished profile", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const response = await api(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/complete`, { token: session.sessionToken });
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      error: { code: "profile_incomplete", details: { missingFields: expect.arrayContaining(["age"]) } },
    });
    const result = await api(stack.baseUrl, "GET", `/api/sessions/${session.sessionId}/result`, { token: session.sessionToken });
    expect(result.status).toBe(404);
  });

  it("completes once under ten parallel calls, serves the result after Redis forgot the session, then erases everything", async () => {
    // Prepare: a finished interview and a real photo.
    const session = await openSessionOverHttp(stack.baseUrl, "ja");
    await completeInterviewOverHttp(stack.baseUrl, session, "ja");
    const photo = await sharp({ create: { width: 40, height: 40, channels: 3, background: "#4a7" } })
      .png()
      .toBuffer();
    await uploadPhotoOverHttp(stack.baseUrl, session, photo, "image/png");
    const base = `/api/sessions/${session.sessionId}`;

    // Act: ten parallel completions.
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => client.POST("/api/sessions/{sessionId}/complete", asOwner(session))),
    );

    // Assess: all 200, one completedAt, the photo in the result.
    for (const answer of answers) expect(answer.response.status).toBe(200);
    const completedAt = answers[0]!.data!.completedAt;
    for (const answer of answers) expect(answer.data!.completedAt).toBe(completedAt);
    expect(answers[0]!.data!.result.profile).toEqual(INTERVIEWS.ja.profile);
    const photoUrl = answers[0]!.data!.result.photo!.url;
    const archived = Buffer.from(await (await fetch(photoUrl)).arrayBuffer());
    expect(await sharp(archived).metadata()).toMatchObject({ format: "jpeg", width: 40, height: 40 });

    const repeat = await client.POST("/api/sessions/{sessionId}/complete", asOwner(session));
    expect(repeat.data!.completedAt).toBe(completedAt);
    const message = await api(stack.baseUrl, "POST", `${base}/messages`, { json: { text: "one more thing" }, token: session.sessionToken });
    expect(message.status).toBe(409);
    expect(message.body).toMatchObject({ error: { code: "session_completed" } });
    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data).toMatchObject({ status: "completed", completedAt });

    // The Redis session expires; the archive still answers.
    const keys = sessionKeys(stack.redisKeyPrefix, session.sessionId);
    await redis.del(keys.hash, keys.messages);
    expect((await api(stack.baseUrl, "GET", base, { token: session.sessionToken })).status).toBe(404);
    const result = await client.GET("/api/sessions/{sessionId}/result", asOwner(session));
    expect(result.response.status).toBe(200);
    expect(result.data).toMatchObject({ sessionId: session.sessionId, completedAt, result: { profile: INTERVIEWS.ja.profile } });
    expect((await api(stack.baseUrl, "GET", `${base}/result`, { token: "wrong-token" })).status).toBe(404);

    // Erase: 204, then nothing answers and the old URLs serve nothing.
    const erased = await client.DELETE("/api/sessions/{sessionId}", asOwner(session));
    expect(erased.response.status).toBe(204);
    expect((await api(stack.baseUrl, "GET", `${base}/result`, { token: session.sessionToken })).status).toBe(404);
    // Signed by completeSession and getResult, whose roles may not list the bucket: S3 answers a missing object 403.
    expect((await fetch(photoUrl)).status).toBe(403);
    expect((await fetch(result.data!.result.photo!.url)).status).toBe(403);
    expect((await api(stack.baseUrl, "DELETE", base, { token: session.sessionToken })).status).toBe(404);
  });

  it("erases a live, unfinished session: Redis keys and objects", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const photo = await sharp({ create: { width: 20, height: 20, channels: 3, background: "#a47" } })
      .jpeg()
      .toBuffer();
    await uploadPhotoOverHttp(stack.baseUrl, session, photo, "image/jpeg");
    const base = `/api/sessions/${session.sessionId}`;
    const { data: before } = await client.GET("/api/sessions/{sessionId}", asOwner(session));

    expect((await api(stack.baseUrl, "DELETE", base, { token: "wrong-token" })).status).toBe(404);
    expect((await client.DELETE("/api/sessions/{sessionId}", asOwner(session))).response.status).toBe(204);

    const keys = sessionKeys(stack.redisKeyPrefix, session.sessionId);
    expect(await redis.exists(keys.hash, keys.messages)).toBe(0);
    expect((await fetch(before!.photo!.url!)).status).toBe(404);
    for (const path of [base, `${base}/photos/user`, `${base}/result`]) {
      expect((await api(stack.baseUrl, "GET", path, { token: session.sessionToken })).status, path).toBe(404);
    }
    expect((await api(stack.baseUrl, "POST", `${base}/messages`, { json: { text: "hi" }, token: session.sessionToken })).status).toBe(404);
  });
});

describe("retention", () => {
  const dynamo = new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

  it("tells when the result expires, and answers 404 once that moment has passed, before any TTL sweep", async () => {
    // Prepare: a completed session.
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    await completeInterviewOverHttp(stack.baseUrl, session, "en");
    const completed = await client.POST("/api/sessions/{sessionId}/complete", asOwner(session));
    const { completedAt, expiresAt } = completed.data!;
    // RETENTION_DAYS after completion, in the whole seconds of DynamoDB's TTL attribute.
    expect(Date.parse(expiresAt)).toBe(Math.floor(Date.parse(completedAt) / 1000) * 1000 + 7 * 86_400_000);
    const fresh = await client.GET("/api/sessions/{sessionId}/result", asOwner(session));
    expect(fresh.data!.expiresAt).toBe(expiresAt);

    // Act: the record's expiresAt 30 days in the past, as if DynamoDB's sweep had not come yet.
    await dynamo.send(
      new UpdateItemCommand({
        TableName: stack.resultsTable,
        Key: { sessionId: { S: session.sessionId } },
        UpdateExpression: "SET expiresAt = :past",
        ExpressionAttributeValues: { ":past": { N: String(Math.floor(Date.now() / 1000) - 30 * 86_400) } },
      }),
    );

    // Assess: gone for its owner, though the record is still there to be swept.
    const expired = await api(stack.baseUrl, "GET", `/api/sessions/${session.sessionId}/result`, { token: session.sessionToken });
    expect(expired.status).toBe(404);
    expect(expired.body).toMatchObject({ error: { code: "session_not_found" } });
  });
});

describe("rate limits", () => {
  it("answers a flood of messages with 429 and Retry-After instead of work", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    // 61 requests: even if a one-minute window rolls over mid-flood, one window sees more than 30.
    for (let i = 0; i < 61; i++) {
      const { response } = await client.POST("/api/sessions/{sessionId}/messages", { ...asOwner(session), body: { text: "banana" } });
      statuses.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    const answered = statuses.filter((s) => s === 200).length;
    expect(statuses.indexOf(429)).toBeGreaterThanOrEqual(30);
    expect(answered).toBeLessThanOrEqual(60);
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([]);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const { data: view } = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view!.messages).toHaveLength(1 + 2 * answered);
  });
});
