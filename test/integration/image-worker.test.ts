import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationObjects, integrationRedis } from "../helpers/integration.ts";
import { createRedis } from "../../lib/clients/redis.ts";
import { DependencyUnavailableError, RateLimitedError } from "../../lib/errors.ts";
import { createLambdaDispatcher } from "../../lib/images/dispatch.ts";
import { requestImage, type ImageRequestDeps } from "../../lib/images/request.ts";
import { runImageJob, type ImageWorkerDeps } from "../../lib/images/worker.ts";
import { createLocalImageProvider } from "../../lib/images/local-provider.ts";
import { ImageProviderError, isPng, type ImageProvider } from "../../lib/images/provider.ts";
import { createUpstashRateLimiter } from "../../lib/limits/rate-limiter.ts";
import type { ImageJobEvent } from "../../lib/schemas/images.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import type { Session } from "../../lib/sessions/model.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { FakeDispatcher, FakeSwitch, unlimitedSpend } from "../fakes/image-fakes.ts";

const objects = integrationObjects();
const redis = integrationRedis();
const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: "hera:itest-images" });
const provider = createLocalImageProvider();

let userPhoto: Buffer;

beforeAll(async () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="320"><rect width="240" height="320" fill="#c98b6b"/>' +
    '<circle cx="120" cy="120" r="60" fill="#2b1d14"/></svg>';
  userPhoto = await sharp(Buffer.from(svg)).jpeg().toBuffer();
});

function workerDeps(overrides: Partial<ImageWorkerDeps> = {}): ImageWorkerDeps {
  return { store, objects, provider, timeoutMs: 20_000, maxSourceBytes: 10 * 1024 * 1024, imagesSwitch: new FakeSwitch(), ...overrides };
}

function requestDeps(overrides: Partial<ImageRequestDeps> = {}): ImageRequestDeps {
  return {
    store,
    objects,
    dispatcher: new FakeDispatcher(),
    limiter: createUpstashRateLimiter(redis, {
      prefix: `hera:itest-images:ratelimit:${newSessionId()}`,
      limit: 5,
      window: "1 d",
      onUnavailable: "closed",
    }),
    spend: unlimitedSpend(),
    imagesSwitch: new FakeSwitch(),
    traits: provider,
    downloadTtlSeconds: 600,
    staleAfterMs: 150_000,
    ...overrides,
  };
}

/** A session with a complete profile and a ready photo whose object really is in S3. */
async function seedSession(): Promise<Session> {
  const id = newSessionId();
  const photoKey = objectKeys.checkedPhoto(id, "itest");
  await objects.write(photoKey, userPhoto, "image/jpeg");
  await store.create(
    id,
    {
      tokenHash: "h",
      status: "collecting",
      locale: "en",
      createdAt: new Date().toISOString(),
      profile: {
        gender: "male",
        partner: { name: "Mia", temperament: "kind, funny and calm", appearance: "long dark hair and a warm smile" },
        children: [{ name: "Sakura", desiredGender: "female" }],
      },
      photo: { status: "ready", contentType: "image/jpeg", key: photoKey, size: userPhoto.length, requestedAt: new Date().toISOString() },
      images: { partner: null, child: null },
    },
    [],
  );
  const session = await store.load(id);
  if (!session) throw new Error("seeded session vanished");
  return session;
}

async function fetchPng(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("image jobs on the real Redis and S3", () => {
  it("runs partner then child through to PNGs in S3, and answers repeats with the ready pictures", async () => {
    // Prepare
    const dispatcher = new FakeDispatcher();
    const deps = requestDeps({ dispatcher });
    const session = await seedSession();
    // Act: request, then run the worker the way Lambda would deliver the event
    const partner = await requestImage(deps, session, "partner");
    const [partnerEvent] = dispatcher.events;
    const partnerRun = await runImageJob(workerDeps(), partnerEvent!);
    const partnerAgain = await requestImage(deps, (await store.load(session.id))!, "partner");
    const child = await requestImage(deps, (await store.load(session.id))!, "child");
    const childRun = await runImageJob(workerDeps(), dispatcher.events[1]!);
    const childAgain = await requestImage(deps, (await store.load(session.id))!, "child");
    // Assess
    expect(partner).toMatchObject({
      outcome: expect.stringMatching(/^(created|in_progress)$/),
      image: { kind: "partner", status: "pending" },
    });
    expect(partnerRun.outcome).toBe("ready");
    expect(childRun.outcome).toBe("ready");
    expect(partnerAgain).toMatchObject({ outcome: "ready", image: { status: "ready", jobId: partner.image.jobId } });
    expect(child).toMatchObject({ outcome: expect.stringMatching(/^(created|in_progress)$/), image: { kind: "child" } });
    expect(childAgain).toMatchObject({ outcome: "ready", image: { status: "ready", jobId: child.image.jobId } });
    expect(dispatcher.events).toHaveLength(2);

    const stored = await store.load(session.id);
    expect(stored?.images.partner).toMatchObject({ status: "ready", key: objectKeys.image(session.id, "partner") });
    expect(stored?.images.child).toMatchObject({ status: "ready", key: objectKeys.image(session.id, "child") });
    for (const again of [partnerAgain, childAgain]) {
      if (again.image.status !== "ready") throw new Error("expected a ready picture");
      const png = await fetchPng(again.image.url);
      expect(isPng(png)).toBe(true);
      expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 512, height: 512 });
    }
    const head = await objects.read(objectKeys.image(session.id, "partner"), 1);
    expect(head?.contentType).toBe("image/png");
  });

  it("runs a job once when its event is delivered twice at the same time", async () => {
    const dispatcher = new FakeDispatcher();
    const session = await seedSession();
    await requestImage(requestDeps({ dispatcher }), session, "partner");
    const event = dispatcher.events[0]!;
    let generations = 0;
    const counting: ImageProvider = {
      ...provider,
      generate: async (input, signal) => {
        generations++;
        return provider.generate(input, signal);
      },
    };

    const results = await Promise.all([
      runImageJob(workerDeps({ provider: counting }), event),
      runImageJob(workerDeps({ provider: counting }), event),
    ]);

    expect(results.map((result) => result.outcome).sort()).toEqual(["ready", "skipped"]);
    expect(generations).toBe(1);
  });

  it("makes one job of five parallel requests on the real store (the Lua version check)", async () => {
    const dispatcher = new FakeDispatcher();
    const deps = requestDeps({ dispatcher });
    const session = await seedSession();

    const results = await Promise.all(Array.from({ length: 5 }, () => requestImage(deps, structuredClone(session), "partner")));

    expect(new Set(results.map((result) => result.image.jobId)).size).toBe(1);
    expect(dispatcher.events).toHaveLength(1);
    expect((await store.load(session.id))?.images.partner?.jobId).toBe(results[0]?.image.jobId);
  });

  it("leaves no object and a failed job when the provider fails", async () => {
    const dispatcher = new FakeDispatcher();
    const session = await seedSession();
    await requestImage(requestDeps({ dispatcher }), session, "partner");
    const failing = { ...provider, generate: async () => Promise.reject(new ImageProviderError("provider_unavailable", "down")) };

    const result = await runImageJob(workerDeps({ provider: failing }), dispatcher.events[0]!);

    expect(result).toMatchObject({ outcome: "failed", error: "provider_unavailable" });
    expect(await objects.exists(objectKeys.image(session.id, "partner"))).toBe(false);
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "failed", error: "provider_unavailable" });
  });

  it("counts new jobs per session in Redis and refuses past the limit with 429, then fails closed without Redis", async () => {
    const prefix = `hera:itest-images:ratelimit:${newSessionId()}`;
    const limiter = createUpstashRateLimiter(redis, { prefix, limit: 2, window: "1 d", onUnavailable: "closed" });
    const session = await seedSession();
    const deps = requestDeps({ limiter });
    const failJob = async () => {
      const current = (await store.load(session.id))!;
      const image = current.images.partner!;
      await store.save(session.id, { set: { images: { partner: { ...image, status: "failed", error: "provider_unavailable" } } } });
    };

    await requestImage(deps, session, "partner");
    await failJob();
    await requestImage(deps, (await store.load(session.id))!, "partner");
    await failJob();
    const third = await requestImage(deps, (await store.load(session.id))!, "partner").catch((e: unknown) => e);

    expect(third).toBeInstanceOf(RateLimitedError);
    expect((third as RateLimitedError).headers["Retry-After"]).toMatch(/^\d+$/);

    const deadRedis = createRedis({
      UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
      UPSTASH_REDIS_REST_TOKEN: "x",
      REDIS_TIMEOUT_MS: 500,
      REDIS_RETRIES: 0,
    });
    const closed = createUpstashRateLimiter(deadRedis, { prefix, limit: 2, window: "1 d", onUnavailable: "closed" });
    const other = await seedSession();
    const refused = await requestImage(requestDeps({ limiter: closed }), other, "partner").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DependencyUnavailableError);
    expect((await store.load(other.id))?.images.partner).toBeNull();
  });
});

describe("Lambda dispatcher", () => {
  let calls: Array<{ url: string; headers: IncomingHttpHeaders; body: string }>;
  let status = 202;
  let server: ReturnType<typeof createServer>;
  let endpoint: string;

  beforeAll(async () => {
    calls = [];
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        calls.push({ url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(status, { "content-type": "application/json" });
        res.end(status === 202 ? "" : JSON.stringify({ Message: "Function not found", Type: "User" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const lambdaAt = (endpoint: string) =>
    new LambdaClient({ region: "ap-northeast-1", endpoint, credentials: { accessKeyId: "x", secretAccessKey: "x" }, maxAttempts: 1 });
  const client = () => lambdaAt(endpoint);

  it("invokes the worker function asynchronously (InvocationType Event) with the job as payload", async () => {
    const event: ImageJobEvent = { sessionId: newSessionId(), kind: "partner", jobId: "job-1" };

    await createLambdaDispatcher(client(), "hera-api-dev-imageWorker", 3000).dispatch(event);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe("/2015-03-31/functions/hera-api-dev-imageWorker/invocations");
    expect(calls[0]?.headers["x-amz-invocation-type"]).toBe("Event");
    expect(JSON.parse(calls[0]?.body ?? "")).toEqual(event);
  });

  it("rejects when the worker was not queued or the endpoint is down", async () => {
    status = 404;
    const notFound = createLambdaDispatcher(client(), "nope", 3000).dispatch({ sessionId: newSessionId(), kind: "child", jobId: "j" });
    await expect(notFound).rejects.toThrow();
    status = 202;

    const down = lambdaAt("http://127.0.0.1:9");
    await expect(
      createLambdaDispatcher(down, "hera-api-dev-imageWorker", 3000).dispatch({ sessionId: newSessionId(), kind: "child", jobId: "j" }),
    ).rejects.toThrow();
  });
});
