import { describe, expect, it } from "vitest";
import { DependencyUnavailableError } from "../../../lib/errors.ts";
import { requestImage, type ImageRequestDeps } from "../../../lib/images/request.ts";
import { runImageJob, type ImageWorkerDeps } from "../../../lib/images/worker.ts";
import { ImageProviderError } from "../../../lib/images/provider.ts";
import type { ImageJobEvent } from "../../../lib/schemas/images.ts";
import type { ImageState, Session } from "../../../lib/sessions/model.ts";
import { newSessionId } from "../../../lib/sessions/tokens.ts";
import { objectKeys } from "../../../lib/storage/objects.ts";
import { CountingLimiter, FakeDispatcher, FakeImageProvider, FakeSwitch, fakePng, unlimitedSpend } from "../../fakes/image-fakes.ts";
import { MemoryObjectStore } from "../../fakes/memory-object-store.ts";
import { MemorySessionStore } from "../../fakes/memory-session-store.ts";
import { clock, readyPartnerImage, readyPhoto, seedSession } from "./fixtures.ts";

// A checked copy is a JPEG: the worker takes only a source that is the type it was stored as.
const USER_PHOTO = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from("user photo bytes")]);

function setup(overrides: Partial<ImageWorkerDeps> = {}) {
  const store = new MemorySessionStore(clock);
  const objects = new MemoryObjectStore();
  const provider = new FakeImageProvider();
  const deps: ImageWorkerDeps = {
    store,
    objects,
    provider,
    timeoutMs: 5000,
    maxSourceBytes: 1024 * 1024,
    imagesSwitch: new FakeSwitch(),
    now: clock,
    ...overrides,
  };
  return { store, objects, provider, deps };
}

function pendingJob(jobId = "job-1"): ImageState {
  return { status: "pending", jobId, inputsHash: "requested-hash", requestedAt: clock().toISOString() };
}

/** A session with a ready photo and a pending partner job. */
async function partnerJobSession(
  store: MemorySessionStore,
  objects: MemoryObjectStore,
): Promise<{ session: Session; event: ImageJobEvent }> {
  const id = newSessionId();
  const session = await seedSession(store, { id, photo: readyPhoto(objects, id, USER_PHOTO), partnerImage: pendingJob() });
  return { session, event: { sessionId: id, kind: "partner", jobId: "job-1" } };
}

describe("runImageJob", () => {
  it("fails with input_not_decodable, never internal_error, when the photo's object is not the JPEG it was stored as", async () => {
    // Prepare: bytes at the checked copy's key that are no JPEG (a damaged object)
    const { store, objects, provider, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    objects.put(session.photo!.key, Buffer.from("<html>not a photo</html>"), "image/jpeg");
    // Act
    const result = await runImageJob(deps, event);
    // Assess
    expect(result).toMatchObject({ outcome: "failed", error: "input_not_decodable" });
    expect(provider.inputs).toHaveLength(0);
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "failed", error: "input_not_decodable" });
  });

  it("claims the job, writes one PNG under the session's key and marks the job ready with that key", async () => {
    // Prepare
    const { store, objects, provider, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    // Act
    const result = await runImageJob(deps, event);
    // Assess
    expect(result).toMatchObject({ outcome: "ready", durationMs: expect.any(Number) });
    const key = objectKeys.image(session.id, "partner");
    expect(objects.objects.get(key)).toMatchObject({ bytes: fakePng("partner"), contentType: "image/png" });
    const image = (await store.load(session.id))?.images.partner;
    expect(image).toMatchObject({
      status: "ready",
      jobId: "job-1",
      key,
      startedAt: clock().toISOString(),
      finishedAt: clock().toISOString(),
    });
    expect(provider.inputs).toEqual([
      {
        kind: "partner",
        gender: "female",
        partner: { name: "Kenta", temperament: "gentle and calm", appearance: "tall, short black hair" },
        userPhoto: { bytes: USER_PHOTO, contentType: "image/jpeg" },
      },
    ]);
  });

  it("runs a job delivered twice only once, whether the deliveries come one after the other or together", async () => {
    const { store, objects, provider, deps } = setup();
    const { event } = await partnerJobSession(store, objects);

    const first = await runImageJob(deps, event);
    const second = await runImageJob(deps, event);

    expect(first.outcome).toBe("ready");
    expect(second).toEqual({ outcome: "skipped", reason: "already_claimed" });
    expect(provider.inputs).toHaveLength(1);

    const parallel = setup();
    const job = await partnerJobSession(parallel.store, parallel.objects);
    const results = await Promise.all([runImageJob(parallel.deps, job.event), runImageJob(parallel.deps, job.event)]);
    expect(results.map((result) => result.outcome).sort()).toEqual(["ready", "skipped"]);
    expect(parallel.provider.inputs).toHaveLength(1);
  });

  it("skips an event whose job was replaced, and one for a session that is gone", async () => {
    const { store, objects, provider, deps } = setup();
    const { session } = await partnerJobSession(store, objects);

    const stale = await runImageJob(deps, { sessionId: session.id, kind: "partner", jobId: "an-older-job" });
    const wrongKind = await runImageJob(deps, { sessionId: session.id, kind: "child", jobId: "job-1" });
    const gone = await runImageJob(deps, { sessionId: newSessionId(), kind: "partner", jobId: "job-1" });

    expect(stale).toEqual({ outcome: "skipped", reason: "stale_job" });
    expect(wrongKind).toEqual({ outcome: "skipped", reason: "stale_job" });
    expect(gone).toEqual({ outcome: "skipped", reason: "session_missing" });
    expect(provider.inputs).toHaveLength(0);
    expect((await store.load(session.id))?.images.partner).toEqual(pendingJob());
  });

  it("makes the child from the user photo, the partner picture and the first child", async () => {
    const { store, objects, provider, deps } = setup();
    const id = newSessionId();
    const partnerPng = fakePng("partner picture");
    await seedSession(store, {
      id,
      photo: readyPhoto(objects, id, USER_PHOTO),
      partnerImage: readyPartnerImage(objects, id, partnerPng),
      childImage: pendingJob("child-job"),
    });

    const result = await runImageJob(deps, { sessionId: id, kind: "child", jobId: "child-job" });

    expect(result.outcome).toBe("ready");
    expect(provider.inputs).toEqual([
      {
        kind: "child",
        child: { name: "Sakura", gender: "female" },
        userPhoto: { bytes: USER_PHOTO, contentType: "image/jpeg" },
        partnerImage: { bytes: partnerPng, contentType: "image/png" },
      },
    ]);
    expect(objects.objects.has(objectKeys.image(id, "child"))).toBe(true);
  });

  it("records the hash of what was actually drawn", async () => {
    const { store, objects, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);

    await runImageJob(deps, event);

    const image = (await store.load(session.id))?.images.partner;
    expect(image?.inputsHash).not.toBe("requested-hash");
    expect(image?.inputsHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("runImageJob failures", () => {
  const cases: Array<[string, (provider: FakeImageProvider) => void, string]> = [
    [
      "the provider is down",
      (p) => (p.answer = async () => Promise.reject(new ImageProviderError("provider_unavailable", "HTTP 500", { status: 500 }))),
      "provider_unavailable",
    ],
    [
      "the provider answers no image",
      (p) => (p.answer = async () => Promise.reject(new ImageProviderError("provider_bad_response", "no image"))),
      "provider_bad_response",
    ],
    ["the provider returns something that is not a PNG", (p) => (p.answer = async () => Buffer.from("GIF89a...")), "provider_bad_response"],
    ["the provider crashes", (p) => (p.answer = async () => Promise.reject(new TypeError("boom"))), "internal_error"],
  ];

  for (const [name, arrange, code] of cases) {
    it(`marks the job failed with ${code} when ${name}, and leaves no object`, async () => {
      const { store, objects, provider, deps } = setup();
      const { session, event } = await partnerJobSession(store, objects);
      // An earlier picture of this kind must not survive a failed job either.
      objects.put(objectKeys.image(session.id, "partner"), fakePng("earlier"), "image/png");
      arrange(provider);

      const result = await runImageJob(deps, event);

      expect(result).toMatchObject({ outcome: "failed", error: code });
      expect(objects.objects.has(objectKeys.image(session.id, "partner"))).toBe(false);
      const image = (await store.load(session.id))?.images.partner;
      expect(image).toMatchObject({ status: "failed", jobId: "job-1", error: code, finishedAt: clock().toISOString() });
      expect(image?.key).toBeUndefined();
    });
  }

  it("fails with generation_timeout at the deadline, even if the provider ignores the signal", async () => {
    const { store, objects, provider, deps } = setup({ timeoutMs: 50 });
    const { session, event } = await partnerJobSession(store, objects);
    let sawAbort = false;
    provider.answer = (_input, signal) =>
      new Promise<Buffer>((resolve) => {
        signal.addEventListener("abort", () => (sawAbort = true));
        setTimeout(() => resolve(fakePng("too late")), 1000);
      });

    const started = Date.now();
    const result = await runImageJob(deps, event);

    expect(result).toMatchObject({ outcome: "failed", error: "generation_timeout" });
    expect(Date.now() - started).toBeLessThan(900);
    expect(sawAbort).toBe(true);
    expect(objects.objects.has(objectKeys.image(session.id, "partner"))).toBe(false);
  });

  it("fails with generation_timeout when the function's own signal aborts first", async () => {
    const controller = new AbortController();
    const { store, objects, provider, deps } = setup({ signal: controller.signal });
    const { event } = await partnerJobSession(store, objects);
    provider.answer = () => new Promise<Buffer>(() => controller.abort());

    const result = await runImageJob(deps, event);

    expect(result).toMatchObject({ outcome: "failed", error: "generation_timeout" });
  });

  it("fails with inputs_missing when a source picture is gone", async () => {
    const { store, objects, provider, deps } = setup();
    const id = newSessionId();
    const photo = readyPhoto(objects, id, USER_PHOTO);
    await seedSession(store, { id, photo, partnerImage: readyPartnerImage(objects, id, fakePng("p")), childImage: pendingJob() });
    await objects.remove(photo.key);

    const result = await runImageJob(deps, { sessionId: id, kind: "child", jobId: "job-1" });

    expect(result).toMatchObject({ outcome: "failed", error: "inputs_missing" });
    expect(provider.inputs).toHaveLength(0);
  });

  it("fails with inputs_missing when the profile no longer holds what the job needs", async () => {
    const { store, objects, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    await store.save(session.id, { set: { profile: { partner: { name: "Kenta" } } } });

    const result = await runImageJob(deps, event);

    expect(result).toMatchObject({ outcome: "failed", error: "inputs_missing" });
  });

  it("fails with storage_unavailable when the picture cannot be written", async () => {
    const { store, objects, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    objects.write = async () => Promise.reject(new DependencyUnavailableError("s3"));

    const result = await runImageJob(deps, event);

    expect(result).toMatchObject({ outcome: "failed", error: "storage_unavailable" });
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "failed", error: "storage_unavailable" });
  });

  it("writes nothing when its job was replaced while it was generating", async () => {
    const { store, objects, provider, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    const newer: ImageState = { ...pendingJob("job-2") };
    provider.answer = async () => {
      await store.save(session.id, { set: { images: { partner: newer } } });
      return fakePng("old job");
    };

    const result = await runImageJob(deps, event);

    expect(result).toEqual({ outcome: "skipped", reason: "superseded" });
    expect(objects.objects.has(objectKeys.image(session.id, "partner"))).toBe(false);
    expect((await store.load(session.id))?.images.partner).toEqual(newer);
  });

  it("keeps a newer job's picture when a replaced job fails", async () => {
    const { store, objects, provider, deps } = setup();
    const { session, event } = await partnerJobSession(store, objects);
    const key = objectKeys.image(session.id, "partner");
    provider.answer = async () => {
      objects.put(key, fakePng("newer job"), "image/png");
      await store.save(session.id, { set: { images: { partner: { ...pendingJob("job-2"), status: "ready", key } } } });
      throw new ImageProviderError("provider_unavailable", "down");
    };

    const result = await runImageJob(deps, event);

    expect(result).toMatchObject({ outcome: "failed", error: "provider_unavailable" });
    expect(objects.objects.get(key)?.bytes).toEqual(fakePng("newer job"));
    expect((await store.load(session.id))?.images.partner).toMatchObject({ status: "ready", jobId: "job-2" });
  });
});

describe("request and worker together", () => {
  it("goes from a request to a ready picture, then answers the same request with 200 and a URL", async () => {
    // Prepare: the dispatcher runs the worker right away, as Lambda would (later) in production
    const worker = setup();
    const dispatcher = new FakeDispatcher();
    dispatcher.onDispatch = async (event) => {
      await runImageJob(worker.deps, event);
    };
    let jobs = 0;
    const request: ImageRequestDeps = {
      store: worker.store,
      objects: worker.objects,
      dispatcher,
      limiter: new CountingLimiter(5),
      spend: unlimitedSpend(),
      imagesSwitch: new FakeSwitch(),
      // The same provider on both sides, as in production: the worker's hash must match the request's.
      traits: worker.provider,
      downloadTtlSeconds: 600,
      staleAfterMs: 150_000,
      now: clock,
      newJobId: () => `job-${++jobs}`,
    };
    const id = newSessionId();
    const session = await seedSession(worker.store, { id, photo: readyPhoto(worker.objects, id, USER_PHOTO) });
    // Act
    const partnerFirst = await requestImage(request, session, "partner");
    const partnerAgain = await requestImage(request, (await worker.store.load(id))!, "partner");
    const child = await requestImage(request, (await worker.store.load(id))!, "child");
    const childAgain = await requestImage(request, (await worker.store.load(id))!, "child");
    // Assess
    expect(partnerFirst).toMatchObject({
      outcome: expect.stringMatching(/^(created|in_progress)$/),
      image: { status: "pending", jobId: "job-1" },
    });
    expect(partnerAgain).toMatchObject({
      outcome: "ready",
      image: { status: "ready", jobId: "job-1", url: expect.stringContaining("images/partner.png") },
    });
    expect(child).toMatchObject({ outcome: expect.stringMatching(/^(created|in_progress)$/), image: { kind: "child", jobId: "job-2" } });
    expect(childAgain).toMatchObject({
      outcome: "ready",
      image: { status: "ready", jobId: "job-2", url: expect.stringContaining("images/child.png") },
    });
    expect(dispatcher.events).toHaveLength(2);
  });
});
