import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { startFaultyServices, type FaultyServices } from "../helpers/faulty-services.ts";
import { integrationObjects, integrationRedis } from "../helpers/integration.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";
import type { HttpResponse } from "../../lib/http/types.ts";

// A hung, refusing or resetting S3, DynamoDB or Lambda endpoint, with the real functions in front of it: every call
// must end as a 503 with Retry-After within 3 s, leave nothing half-done, and be completed by a retry once it is back.

const services = inject("services");
let faulty: FaultyServices;
let sessionsMade = 0;
// The functions' own view of the state, straight to the services (not through the proxies).
const store = new RedisSessionStore(integrationRedis(), { ttlSeconds: 600, keyPrefix: "hera:dev" });
const objects = integrationObjects();

type Handler = (event: ReturnType<typeof httpEvent>, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  faulty = await startFaultyServices(services);
  Object.assign(process.env, faulty.env, { REDIS_TIMEOUT_MS: "1000" });
  for (const name of [
    "create-session",
    "delete-session",
    "complete-session",
    "get-result",
    "get-session",
    "request-image",
    "request-photo-upload",
  ]) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
});

afterEach(async () => {
  await faulty.heal();
});

afterAll(async () => {
  await faulty.close();
});

async function call(name: string, init: Parameters<typeof httpEvent>[0]): Promise<{ response: HttpResponse; ms: number; body: unknown }> {
  const started = Date.now();
  const response = await handlers[name]!(httpEvent(init), fakeContext());
  return { response, ms: Date.now() - started, body: response.body ? JSON.parse(response.body) : undefined };
}

/** A session with a complete profile, made through the create function and then filled in directly. */
async function completeProfileSession(): Promise<{ id: string; token: string; auth: Record<string, string> }> {
  // A client address of its own: session creation is limited per address, and other test files create sessions too.
  const created = await call("create-session", {
    body: JSON.stringify({ locale: "en" }),
    headers: { "content-type": "application/json" },
    sourceIp: `192.0.2.${++sessionsMade}`,
  });
  expect(created.response.statusCode).toBe(201);
  const { sessionId, sessionToken } = created.body as { sessionId: string; sessionToken: string };
  await store.save(sessionId, { set: { profile: INTERVIEWS.en.profile } });
  return { id: sessionId, token: sessionToken, auth: { authorization: `Bearer ${sessionToken}` } };
}

function expectFast503(outcome: { response: HttpResponse; ms: number }): void {
  expect(outcome.response.statusCode).toBe(503);
  expect(outcome.response.headers["Retry-After"]).toBeDefined();
  expect(outcome.ms).toBeLessThan(3000);
}

describe("a hung S3", () => {
  it("erasure answers 503 within 3 s, and a retry once S3 is back erases everything", async () => {
    const session = await completeProfileSession();
    await objects.write(objectKeys.image(session.id, "partner"), Buffer.from("picture"), "image/png");
    await faulty.s3.set("hang");

    expectFast503(await call("delete-session", { method: "DELETE", pathParameters: { sessionId: session.id }, headers: session.auth }));

    await faulty.heal();
    const retried = await call("delete-session", { method: "DELETE", pathParameters: { sessionId: session.id }, headers: session.auth });
    expect(retried.response.statusCode).toBe(204);
    expect(await objects.exists(objectKeys.image(session.id, "partner"))).toBe(false);
    expect(await store.load(session.id)).toBeNull();
  });

  it("a new photo grant answers 503 within 3 s, naming the old photo's object in the new one; a retry deletes it", async () => {
    const session = await completeProfileSession();
    const oldKey = objectKeys.checkedPhoto(session.id, "old");
    await objects.write(oldKey, Buffer.from("old photo"), "image/jpeg");
    const ready = { status: "ready" as const, contentType: "image/jpeg", key: oldKey, size: 9, requestedAt: new Date().toISOString() };
    await store.save(session.id, { set: { photo: ready } });
    await faulty.s3.set("hang");
    const grant = {
      body: JSON.stringify({ contentType: "image/png", contentLength: 100 }),
      headers: { ...session.auth, "content-type": "application/json" },
    };

    expectFast503(await call("request-photo-upload", { ...grant, pathParameters: { sessionId: session.id } }));
    // The session is written first (so that no completion can archive a photo the grant deletes), then the old object
    // goes: S3 hung, so the new pending photo carries the old object's key for whoever comes next.
    expect((await store.load(session.id))?.photo).toMatchObject({ status: "pending", discard: [oldKey] });
    await faulty.heal();
    expect(await objects.exists(oldKey)).toBe(true);

    const retried = await call("request-photo-upload", { ...grant, pathParameters: { sessionId: session.id } });
    expect(retried.response.statusCode).toBe(201);
    expect((await store.load(session.id))?.photo).toMatchObject({ status: "pending", contentType: "image/png" });
    expect(await objects.exists(oldKey)).toBe(false);
  });
  it("reading a session with a pending upload answers 503 within 3 s (its object calls have no S3 client), then 200", async () => {
    // Prepare: a pending upload, which a read looks up in S3 to see whether its S3 event is late.
    const session = await completeProfileSession();
    const key = objectKeys.userPhoto(session.id, "late");
    const jpeg = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xd9]);
    await objects.write(key, jpeg, "image/jpeg");
    const requestedAt = new Date(Date.now() - 60_000).toISOString();
    await store.save(session.id, { set: { photo: { status: "pending", contentType: "image/jpeg", key, size: jpeg.length, requestedAt } } });
    await faulty.s3.set("hang");
    const read = { pathParameters: { sessionId: session.id }, headers: session.auth };

    // Act, Assess
    expectFast503(await call("get-session", read));
    expect((await store.load(session.id))?.photo).toMatchObject({ status: "pending", key });

    await faulty.heal();
    const retried = await call("get-session", read);
    expect(retried.response.statusCode).toBe(200);
    // Stored a moment ago: left to its S3 event.
    expect((retried.body as { photo: { status: string } }).photo.status).toBe("pending");
  });
});

describe("a hung or refusing DynamoDB", () => {
  it.each(["hang", "refuse", "reset"] as const)("completion answers 503 within 3 s (%s), and a retry completes it", async (mode) => {
    const session = await completeProfileSession();
    await faulty.dynamo.set(mode);

    expectFast503(await call("complete-session", { pathParameters: { sessionId: session.id }, headers: session.auth }));

    await faulty.heal();
    const retried = await call("complete-session", { pathParameters: { sessionId: session.id }, headers: session.auth });
    expect(retried.response.statusCode).toBe(200);
    const result = await call("get-result", { method: "GET", pathParameters: { sessionId: session.id }, headers: session.auth });
    expect(result.response.statusCode).toBe(200);
    expect(result.body).toMatchObject({ completedAt: (retried.body as { completedAt: string }).completedAt });
  });

  it("reading a result answers 503 within 3 s", async () => {
    const session = await completeProfileSession();
    await faulty.dynamo.set("hang");
    expectFast503(await call("get-result", { method: "GET", pathParameters: { sessionId: session.id }, headers: session.auth }));
  });
});

describe("a hung Lambda endpoint", () => {
  it("an image request answers 503 within 3 s, marks the job failed, and a retry starts a new one", async () => {
    const session = await completeProfileSession();
    await faulty.lambda.set("hang");
    const ask = {
      body: JSON.stringify({ kind: "partner" }),
      headers: { ...session.auth, "content-type": "application/json" },
      pathParameters: { sessionId: session.id },
    };

    expectFast503(await call("request-image", ask));
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "failed", error: "dispatch_failed" });

    await faulty.heal();
    const retried = await call("request-image", ask);
    expect(retried.response.statusCode).toBe(202);
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "pending" });
  });
});
