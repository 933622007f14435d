import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { HttpResponse } from "../../lib/http/types.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { startFaultyServices, type FaultyServices } from "../helpers/faulty-services.ts";
import { integrationObjects, integrationRedis } from "../helpers/integration.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// DELETE racing an image job, with the real functions on the real local services: the request starts the job, the
// worker runs it, and the erasure lands at a different moment of the worker's run each time. Before erasure removed
// the session first (and writers checked after their write), about one run in four to eight left the picture behind.

const RUNS = 24;
const services = inject("services");
let faulty: FaultyServices;
const redis = integrationRedis();
const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: "hera:dev" });
const objects = integrationObjects();

type Handler = (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse | undefined>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  faulty = await startFaultyServices(services);
  Object.assign(process.env, faulty.env);
  for (const name of ["create-session", "post-message", "request-image", "delete-session", "image-worker"]) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
});

afterAll(async () => {
  await faulty.close();
});

async function call(name: string, init: Parameters<typeof httpEvent>[0]): Promise<HttpResponse> {
  return (await handlers[name]!(httpEvent(init), fakeContext())) as HttpResponse;
}

/** Every key of this stage in Redis that names the session. */
async function redisKeysOf(sessionId: string): Promise<string[]> {
  const keys = (await redis.keys(`*${sessionId}*`)) as string[];
  return keys;
}

describe("DELETE while an image job runs", () => {
  it(`leaves nothing of the session in Redis or S3, whatever the moment (${RUNS} runs)`, async () => {
    const leaks: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // One client address per run, for every call: session creation and image jobs are limited per address, and other
      // test files make them too.
      const sourceIp = `198.51.100.${run + 1}`;
      const created = await call("create-session", {
        body: JSON.stringify({ locale: "en" }),
        headers: { "content-type": "application/json" },
        sourceIp,
      });
      expect(created.statusCode).toBe(201);
      const { sessionId, sessionToken } = JSON.parse(created.body ?? "{}") as { sessionId: string; sessionToken: string };
      const auth = { authorization: `Bearer ${sessionToken}` };
      await store.save(sessionId, { set: { profile: INTERVIEWS.en.profile } });
      // A message counts against the session's limiter, so erasure has counters to remove too.
      await call("post-message", {
        body: JSON.stringify({ text: "hello" }),
        headers: { ...auth, "content-type": "application/json" },
        pathParameters: { sessionId },
        sourceIp,
      });
      faulty.invocations.length = 0;
      const asked = await call("request-image", {
        body: JSON.stringify({ kind: "partner" }),
        headers: { ...auth, "content-type": "application/json" },
        pathParameters: { sessionId },
        sourceIp,
      });
      expect(asked.statusCode).toBe(202);
      const event = faulty.invocations[0];

      const worker = handlers["image-worker"]!(event, fakeContext(`worker-${run}`));
      await new Promise((resolve) => setTimeout(resolve, (run * 7) % 80));
      const erased = await call("delete-session", { method: "DELETE", pathParameters: { sessionId }, headers: auth });
      expect(erased.statusCode).toBe(204);
      await worker;

      const left = [
        ...((await objects.exists(objectKeys.image(sessionId, "partner"))) ? ["s3 picture"] : []),
        ...(await redisKeysOf(sessionId)),
      ];
      if (left.length > 0) leaks.push(`run ${run}: ${left.join(", ")}`);
    }
    expect(leaks).toEqual([]);
  });
});
