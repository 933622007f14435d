import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it, vi } from "vitest";
import type { HttpResponse } from "../../lib/http/types.ts";
import type { SessionStore } from "../../lib/sessions/model.ts";
import { hashToken, newSessionId, newSessionToken } from "../../lib/sessions/tokens.ts";
import { SWITCH_CACHE_MS } from "../../lib/switches.ts";
import { startFakeParametersExtension, type FakeParametersExtension } from "../fakes/parameters-extension.ts";
import { startFaultyServices, type FaultyServices } from "../helpers/faulty-services.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// The images switch as a stage has it: an SSM parameter read at run time through the Parameters and Secrets extension
// (here its local fake), by the real request and worker functions. Flipping it is seen without a deploy, within the
// function's cache (the extension's own, SSM_PARAMETER_STORE_TTL, is set beside it in serverless.yml).
const services = inject("services");
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjE-switch-test-token";
const PARAMETER = "/hera/test/images-enabled";
let extension: FakeParametersExtension;
let faulty: FaultyServices;
let store: SessionStore;
type Handler = (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse | undefined>;
let requestImage: Handler;
let imageWorker: Handler;

beforeAll(async () => {
  extension = await startFakeParametersExtension({ token: SESSION_TOKEN, parameters: { [PARAMETER]: "true" } });
  faulty = await startFaultyServices(services);
  Object.assign(process.env, {
    ...faulty.env,
    REDIS_KEY_PREFIX: "hera-images-switch",
    IMAGES_ENABLED: "true",
    IMAGES_ENABLED_PARAMETER: PARAMETER,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
    AWS_SESSION_TOKEN: SESSION_TOKEN,
  });
  ({ handler: requestImage } = (await import("../../functions/request-image.ts")) as { handler: Handler });
  ({ handler: imageWorker } = (await import("../../functions/image-worker.ts")) as { handler: Handler });
  ({ sessionStore: store } = await import("../../lib/wiring/sessions.ts").then((m) => ({ sessionStore: m.sessionStore() })));
});

// The functions' clock, moved by hand (only Date is faked: the HTTP calls keep their real timers).
let clock = Date.now();
const advance = (ms: number) => {
  clock += ms;
  vi.setSystemTime(clock);
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["Date"] });
  advance(10 * SWITCH_CACHE_MS);
});

afterEach(() => {
  vi.useRealTimers();
});

afterAll(async () => {
  delete process.env.AWS_SESSION_TOKEN;
  await faulty?.close();
  await extension?.close();
});

/** A session whose partner picture can be asked for (the partner's three answers given), and its token. */
async function partnerReady(): Promise<{ sessionId: string; token: string }> {
  const sessionId = newSessionId();
  const token = newSessionToken();
  await store.create(
    sessionId,
    {
      tokenHash: hashToken(token),
      status: "collecting",
      locale: "ja",
      createdAt: new Date().toISOString(),
      profile: { partner: { name: "Mia", temperament: "kind and calm", appearance: "long dark hair" } },
      userMessageCount: 3,
      photo: null,
      images: { partner: null, child: null },
    },
    [],
  );
  return { sessionId, token };
}

async function ask(session: { sessionId: string; token: string }): Promise<HttpResponse> {
  const response = await requestImage(
    httpEvent({
      pathParameters: { sessionId: session.sessionId },
      headers: { "content-type": "application/json", authorization: `Bearer ${session.token}` },
      body: JSON.stringify({ kind: "partner" }),
    }),
    fakeContext(),
  );
  if (!response) throw new Error("no response");
  return response;
}

const code = (response: HttpResponse) => (JSON.parse(response.body ?? "{}") as { error?: { code?: string } }).error?.code;

describe("the images switch, flipped in the parameter store while the functions run", () => {
  it("stops new jobs within the cache (503 images_paused), fails the queued one, and starts again when flipped back", async () => {
    // Prepare: a job queued while the switch is on.
    const queued = await partnerReady();
    const first = await ask(queued);
    expect(first.statusCode).toBe(202);
    const invocation = faulty.invocations.at(-1);

    // Act: the operator flips the parameter; requests within the cache still go through, after it they are refused.
    extension.put(PARAMETER, "false");
    advance(SWITCH_CACHE_MS / 2);
    const withinCache = await ask(await partnerReady());
    advance(SWITCH_CACHE_MS);
    const paused = await ask(await partnerReady());
    await imageWorker(invocation, fakeContext());
    const failed = await store.load(queued.sessionId);
    extension.put(PARAMETER, "true");
    advance(SWITCH_CACHE_MS + 1);
    const again = await ask(await partnerReady());

    // Assess
    expect(withinCache.statusCode).toBe(202);
    expect(paused.statusCode).toBe(503);
    expect(code(paused)).toBe("images_paused");
    expect(Number(paused.headers["Retry-After"])).toBeGreaterThan(0);
    expect(failed?.images.partner).toMatchObject({ status: "failed", error: "images_paused" });
    expect(again.statusCode).toBe(202);
    // Read through the extension with the function's token, at most once per cache period.
    const reads = extension.requests.filter((request) => request.names.includes(PARAMETER));
    expect(reads.every((request) => request.token === SESSION_TOKEN)).toBe(true);
    expect(reads.length).toBeLessThanOrEqual(4);
  });

  it("is off when the parameter says anything but true, and keeps its last value while the store does not answer", async () => {
    // Prepare
    extension.put(PARAMETER, "true");
    const before = await ask(await partnerReady());

    // Act
    extension.fail({ status: 500 });
    advance(SWITCH_CACHE_MS + 1);
    const storeDown = await ask(await partnerReady());
    extension.fail(undefined);
    extension.put(PARAMETER, "maybe");
    advance(SWITCH_CACHE_MS + 1);
    const unclear = await ask(await partnerReady());

    // Assess
    expect(before.statusCode).toBe(202);
    expect(storeDown.statusCode).toBe(202);
    expect(unclear.statusCode).toBe(503);
    expect(code(unclear)).toBe("images_paused");
  });
});
