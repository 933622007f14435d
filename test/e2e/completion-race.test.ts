import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { Redis } from "@upstash/redis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { api } from "../helpers/api.ts";
import { openSessionOverHttp } from "../helpers/flows.ts";

// POST …/complete racing DELETE on the local stack, where each function runs with its own role: when the erasure
// lands between the completion's archive write and its check of the session, the completion removes the record it
// wrote. That removal is a DeleteItem of completeSession's role; without the grant AWS answers AccessDenied and the
// client a 500, with the record left behind.

const RUNS = 24;
const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });
const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: "hera:dev" });
const dynamo = new DynamoDBClient({
  endpoint: stack.dynamoUrl,
  region: "ap-northeast-1",
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
});

afterAll(() => dynamo.destroy());

describe("POST …/complete racing DELETE", () => {
  it(`never answers 500 and leaves no archive record (${RUNS} runs)`, async () => {
    const outcomes: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Prepare: a session whose profile is complete.
      const session = await openSessionOverHttp(stack.baseUrl, "en");
      await store.save(session.sessionId, { set: { profile: INTERVIEWS.en.profile } });
      const base = `/api/sessions/${session.sessionId}`;

      // Act: the completion, and the erasure a little later each run, so that it lands at a different moment.
      const completion = api(stack.baseUrl, "POST", `${base}/complete`, { token: session.sessionToken });
      await new Promise((resolve) => setTimeout(resolve, run % 12));
      const erasure = api(stack.baseUrl, "DELETE", base, { token: session.sessionToken });
      const [completed, erased] = await Promise.all([completion, erasure]);

      // Assess: an answer each may give, and nothing of the session archived.
      outcomes.push(`${completed.status}/${erased.status}`);
      expect([200, 404], JSON.stringify(completed.body)).toContain(completed.status);
      expect(erased.status).toBe(204);
      const record = await dynamo.send(
        new GetItemCommand({ TableName: "hera-api-results-dev", Key: { sessionId: { S: session.sessionId } }, ConsistentRead: true }),
      );
      expect(record.Item, `run ${run}`).toBeUndefined();
    }
    expect(outcomes).toHaveLength(RUNS);
  });
});
