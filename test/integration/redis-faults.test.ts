import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { findRedisServerBinary, spawnRedisServer, type RedisProcess } from "../../dev/redis-process.ts";
import { startUpstashRest, type UpstashRestServer } from "../../dev/upstash-rest.ts";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import { startFaultProxy, type FaultMode, type FaultProxy } from "../helpers/fault-proxy.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// Every way Redis can fail, driven through the real functions: the Upstash REST endpoint of this file (its own
// redis-server, so that it can be killed without harming the other test files) sits behind a fault proxy.
const services = inject("services");
const TOKEN = "redis-faults-token";
const binary = findRedisServerBinary();
let redisServer: RedisProcess | undefined;
let rest: UpstashRestServer;
let proxy: FaultProxy;

type Handler = (event: HttpEvent, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse>;
const handlers: Record<string, Handler> = {};
let emitted: string[] = [];

beforeAll(async () => {
  redisServer = binary ? await spawnRedisServer(binary) : undefined;
  rest = await startUpstashRest(
    redisServer
      ? { port: 0, token: TOKEN, redisUrl: `redis://${redisServer.host}:${redisServer.port}` }
      : { port: 0, token: TOKEN, engine: "memory" },
  );
  proxy = await startFaultProxy({ port: rest.port });
  Object.assign(process.env, {
    UPSTASH_REDIS_REST_URL: proxy.url,
    UPSTASH_REDIS_REST_TOKEN: TOKEN,
    PHOTO_BUCKET: services.bucket,
    RESULTS_TABLE: services.table,
    S3_ENDPOINT: services.s3Endpoint,
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    REDIS_KEY_PREFIX: "hera-redis-faults",
    // Metrics on, written by Powertools to the global console (dev mode), so that the EMF lines can be read.
    POWERTOOLS_METRICS_DISABLED: "false",
    POWERTOOLS_DEV: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
  for (const name of ["create-session", "get-session", "post-message", "request-image", "health"]) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
  vi.spyOn(console, "log").mockImplementation((line: unknown) => {
    if (typeof line === "string" && line.includes('"_aws"')) emitted.push(line);
  });
});

afterEach(async () => {
  await proxy.set("pass");
});

afterAll(async () => {
  vi.restoreAllMocks();
  await proxy?.close();
  await rest?.close();
  await redisServer?.stop();
});

/** How many DependencyErrors the EMF lines written since the last call count. */
function dependencyErrorsEmitted(): number {
  const lines = emitted;
  emitted = [];
  return lines.reduce((sum, line) => sum + Number((JSON.parse(line) as { DependencyErrors?: number }).DependencyErrors ?? 0), 0);
}

const json = { "content-type": "application/json" };

async function openSession(): Promise<{ sessionId: string; sessionToken: string }> {
  const response = await handlers["create-session"]!(httpEvent({ body: JSON.stringify({ locale: "en" }), headers: json }), fakeContext());
  expect(response.statusCode).toBe(201);
  return JSON.parse(response.body ?? "{}") as { sessionId: string; sessionToken: string };
}

/** The calls tried in every fault: each must reach Redis first. */
function calls(session: { sessionId: string; sessionToken: string }): Array<[string, HttpEvent]> {
  const auth = { authorization: `Bearer ${session.sessionToken}` };
  const pathParameters = { sessionId: session.sessionId };
  return [
    ["create-session", httpEvent({ body: JSON.stringify({ locale: "en" }), headers: json })],
    ["get-session", httpEvent({ method: "GET", pathParameters, headers: auth })],
    ["post-message", httpEvent({ pathParameters, headers: { ...auth, ...json }, body: JSON.stringify({ text: "I'm 30" }) })],
    ["request-image", httpEvent({ pathParameters, headers: { ...auth, ...json }, body: JSON.stringify({ kind: "partner" }) })],
  ];
}

interface Observed {
  call: string;
  status: number;
  ms: number;
  retryAfter: string | undefined;
  body: string;
}

async function run(name: string, event: HttpEvent): Promise<Observed> {
  const started = performance.now();
  const response = await handlers[name]!(event, fakeContext());
  return {
    call: name,
    status: response.statusCode,
    ms: Math.round(performance.now() - started),
    retryAfter: response.headers?.["Retry-After"],
    body: response.body ?? "",
  };
}

/** Asserts the answer of a call during an outage: 503, Retry-After, within 3 s, one DependencyErrors, nothing leaked. */
function expectUnavailable(observed: Observed, counted: number): void {
  expect({ call: observed.call, status: observed.status }).toEqual({ call: observed.call, status: 503 });
  expect(observed.retryAfter).toMatch(/^\d+$/);
  expect(observed.ms).toBeLessThan(3000);
  expect(JSON.parse(observed.body)).toMatchObject({ error: { code: "dependency_unavailable" } });
  expect(observed.body).not.toMatch(/command|HGETALL|EVALSHA|hera-redis-faults|Bearer/i);
  expect(counted).toBe(1);
}

const figures: Array<Observed & { fault: string }> = [];

async function expectEveryCallUnavailable(fault: string, session: { sessionId: string; sessionToken: string }): Promise<void> {
  dependencyErrorsEmitted();
  const answers: Array<[Observed, number]> = [];
  for (const [name, event] of calls(session)) {
    const observed = await run(name, event);
    figures.push({ ...observed, fault });
    answers.push([observed, dependencyErrorsEmitted()]);
  }
  const health = await run("health", httpEvent({ method: "GET" }));
  figures.push({ ...health, fault });
  for (const [observed, counted] of answers) expectUnavailable(observed, counted);
  expect(health.status).toBe(503);
  expect(health.retryAfter).toBe("5");
  expect(health.ms).toBeLessThan(3000);
  expect(JSON.parse(health.body)).toMatchObject({ checks: { redis: { status: "unavailable" }, s3: { status: "ok" } } });
}

describe("a Redis command error (a bug, not an outage)", () => {
  it("stays a 500 and is not counted as a dependency error", async () => {
    // A session id whose hash key holds a string: HGETALL answers WRONGTYPE inside a 200 pipeline.
    const sessionId = "WRONGTYPEWRONGTYPEWRON";
    const response = await fetch(rest.url, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(["SET", `hera-redis-faults:dev:session:{${sessionId}}`, "not a hash"]),
    });
    expect(response.status).toBe(200);
    dependencyErrorsEmitted();
    const observed = await run(
      "get-session",
      httpEvent({ method: "GET", pathParameters: { sessionId }, headers: { authorization: "Bearer abc" } }),
    );
    expect(observed.status).toBe(500);
    expect(observed.body).not.toMatch(/WRONGTYPE|command/i);
    expect(dependencyErrorsEmitted()).toBe(0);
  });
});

describe(`when Redis fails (${binary ? "redis-server" : "memory engine"} behind the REST endpoint)`, () => {
  const modes: FaultMode[] = ["hang", "refuse", "reset", "http503", "http500", "garbage"];

  it.each(modes)("answers 503 with Retry-After within 3 s, counted, when the endpoint is %s", async (mode) => {
    const session = await openSession();
    await proxy.set(mode);
    await expectEveryCallUnavailable(mode, session);

    // Healed, the same session answers again: nothing was left broken.
    await proxy.set("pass");
    const after = await run("get-session", calls(session)[1]![1]);
    expect(after.status).toBe(200);
  });

  it("answers 503 with Retry-After within 3 s, counted, when redis-server behind the REST endpoint is killed", async (context) => {
    if (!redisServer) {
      if (process.env.CI === "true") throw new Error("redis-server is not on the PATH; CI must run this test");
      console.warn("redis-server is not on the PATH: skipping the killed-redis-server case (install redis-server to run it)");
      context.skip();
    }
    const session = await openSession();
    await redisServer!.stop();
    await expectEveryCallUnavailable("redis-server killed", session);
  });

  afterAll(() => {
    // The figures of the closing note: the status and the time to answer of each call in each fault.
    console.warn(figures.map((f) => `${f.fault.padEnd(20)} ${f.call.padEnd(15)} ${f.status} ${String(f.ms).padStart(5)} ms`).join("\n"));
  });
});
