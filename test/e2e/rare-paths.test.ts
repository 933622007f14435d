import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { Redis } from "@upstash/redis";
import { describe, expect, inject, it } from "vitest";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { heraClient } from "../helpers/api.ts";
import { asOwner, openSessionOverHttp } from "../helpers/flows.ts";

// The paths that a browser's flow meets only when something went wrong elsewhere (an event delivered after its object
// was gone, a job whose pictures vanished), driven as AWS would drive them: the S3 event and the worker's event sent
// to the functions through the local Lambda endpoint. Each function meets them with its own role, so these are also
// the calls that prove its ListBucket and DeleteObject grants (test/e2e/least-privilege.test.ts).

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });
const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: stack.redisKeyPrefix });
// The tests' own key: the local stack's IAM proxy lets it through, as an administrator's would be in AWS.
const lambda = new LambdaClient({
  region: "ap-northeast-1",
  endpoint: stack.lambdaUrl,
  credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  maxAttempts: 1,
});

async function invoke(functionName: string, event: unknown): Promise<void> {
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: `hera-api-dev-${functionName}`, Payload: Buffer.from(JSON.stringify(event)) }),
  );
  const payload = answer.Payload ? new TextDecoder().decode(answer.Payload) : "";
  expect(answer.FunctionError, payload).toBeUndefined();
}

describe("paths a flow meets only after a fault elsewhere", () => {
  it("leaves a pending photo as it is when its S3 event comes for an object that is already gone", async () => {
    // Prepare: a grant, and its form never posted
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const client = heraClient(stack.baseUrl);
    const grant = await client.POST("/api/sessions/{sessionId}/photos/user", {
      ...asOwner(session),
      body: { contentType: "image/png", contentLength: 68 },
    });
    const key = grant.data?.upload.fields.key ?? "";
    // Act: the event of an object that is not there (S3 delivers events at least once, and late)
    await invoke("photoUploaded", {
      Records: [
        {
          eventSource: "aws:s3",
          eventName: "ObjectCreated:Post",
          s3: { bucket: { name: "hera-api-photos-dev" }, object: { key, size: 68 } },
        },
      ],
    });
    // Assess: still pending, and the picture is not ready
    const { data: view } = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view?.photo).toMatchObject({ status: "pending" });
    const link = await client.GET("/api/sessions/{sessionId}/photos/{name}", {
      ...asOwner(session),
      params: { path: { sessionId: session.sessionId, name: "user" } },
    });
    expect(link.response.status).toBe(404);
  });

  it("fails a child job whose pictures are gone with a code, and leaves no picture of it", async () => {
    // Prepare: a session whose photo and partner picture are recorded ready, but whose objects are not there
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const at = new Date().toISOString();
    await store.save(session.sessionId, {
      set: {
        profile: INTERVIEWS.en.profile,
        photo: {
          status: "ready",
          contentType: "image/jpeg",
          key: objectKeys.checkedPhoto(session.sessionId, "gone"),
          requestedAt: at,
          checkedAt: at,
        },
        images: {
          partner: {
            status: "ready",
            jobId: "partner-job",
            inputsHash: "x",
            key: objectKeys.image(session.sessionId, "partner"),
            requestedAt: at,
          },
          child: { status: "pending", jobId: "child-job", inputsHash: "y", requestedAt: at },
        },
      },
    });
    // Act: the worker's event, as the image request would have sent it
    await invoke("imageWorker", { sessionId: session.sessionId, kind: "child", jobId: "child-job" });
    // Assess
    const { data: view } = await heraClient(stack.baseUrl).GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view?.images.child).toMatchObject({ status: "failed", jobId: "child-job" });
    expect(view?.images.child?.error).not.toBe("internal_error");
    expect(view?.images.child).not.toHaveProperty("url");
  });
});
