import { describe, expect, it } from "vitest";
import { ConflictError, DependencyUnavailableError, HttpError, RateLimitedError, StageBudgetError } from "../../../lib/errors.ts";
import { inputsHash, planImage } from "../../../lib/images/inputs.ts";
import { requestImage, type ImageRequestDeps } from "../../../lib/images/request.ts";
import { geminiImageTraits, LOCAL_IMAGE_TRAITS } from "../../../lib/images/provider.ts";
import type { ImageState, Session } from "../../../lib/sessions/model.ts";
import { newSessionId } from "../../../lib/sessions/tokens.ts";
import { objectKeys } from "../../../lib/storage/objects.ts";
import { CountingLimiter, FakeDispatcher, FakeSwitch, fakePng, unlimitedSpend } from "../../fakes/image-fakes.ts";
import { MemoryObjectStore } from "../../fakes/memory-object-store.ts";
import { MemorySessionStore } from "../../fakes/memory-session-store.ts";
import { clock, READY_PROFILE, readyPartnerImage, readyPhoto, seedSession } from "./fixtures.ts";

const STALE_AFTER_MS = 150_000;

function setup(overrides: Partial<ImageRequestDeps> = {}) {
  const store = new MemorySessionStore(clock);
  const objects = new MemoryObjectStore();
  const dispatcher = new FakeDispatcher();
  const limiter = new CountingLimiter();
  let next = 0;
  const deps: ImageRequestDeps = {
    store,
    objects,
    dispatcher,
    limiter,
    spend: unlimitedSpend(),
    imagesSwitch: new FakeSwitch(),
    traits: LOCAL_IMAGE_TRAITS,
    downloadTtlSeconds: 600,
    staleAfterMs: STALE_AFTER_MS,
    now: clock,
    newJobId: () => `job-${++next}`,
    ...overrides,
  };
  return { store, objects, dispatcher, limiter, deps };
}

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(HttpError);
  if (!(error instanceof HttpError)) throw new Error("expected an HttpError");
  return error;
}

/** A session ready for the child picture: ready photo, ready partner image, a child in the profile. */
async function childReadySession(store: MemorySessionStore, objects: MemoryObjectStore): Promise<Session> {
  const id = newSessionId();
  return seedSession(store, {
    id,
    photo: readyPhoto(objects, id, Buffer.from("jpeg bytes")),
    partnerImage: readyPartnerImage(objects, id, fakePng("partner")),
  });
}

async function stored(store: MemorySessionStore, id: string, kind: "partner" | "child"): Promise<ImageState | null> {
  return (await store.load(id))?.images[kind] ?? null;
}

describe("requestImage preconditions", () => {
  it("refuses the partner picture until name, temperament and appearance are known, and records nothing", async () => {
    // Prepare
    const { store, dispatcher, limiter, deps } = setup();
    const empty = await seedSession(store, { profile: {} });
    const partial = await seedSession(store, { profile: { partner: { name: "Kenta" } } });
    // Act
    const noPartner = await refusal(requestImage(deps, empty, "partner"));
    const halfPartner = await refusal(requestImage(deps, partial, "partner"));
    // Assess
    expect(noPartner).toBeInstanceOf(ConflictError);
    expect(noPartner).toMatchObject({
      status: 409,
      code: "precondition_failed",
      details: { missing: ["partner.name", "partner.temperament", "partner.appearance"] },
    });
    expect(halfPartner.details).toEqual({ missing: ["partner.temperament", "partner.appearance"] });
    expect(await stored(store, empty.id, "partner")).toBeNull();
    expect(dispatcher.events).toHaveLength(0);
    expect(limiter.calls).toHaveLength(0);
  });

  it("refuses the child picture without a ready photo, a ready partner picture and a child", async () => {
    const { store, objects, dispatcher, deps } = setup();
    const nothing = await seedSession(store, { profile: { partner: READY_PROFILE.partner } });
    const id = newSessionId();
    const pendingPhoto = await seedSession(store, {
      id,
      photo: { ...readyPhoto(objects, id, Buffer.from("x")), status: "pending" },
      partnerImage: { status: "running", jobId: "p1", inputsHash: "h", requestedAt: clock().toISOString() },
    });

    const none = await refusal(requestImage(deps, nothing, "child"));
    const notYet = await refusal(requestImage(deps, pendingPhoto, "child"));

    expect(none).toMatchObject({ status: 409, code: "precondition_failed", details: { missing: ["photo", "images.partner", "children"] } });
    expect(notYet.details).toEqual({ missing: ["photo", "images.partner"] });
    expect(dispatcher.events).toHaveLength(0);
  });

  it("refuses any picture for a completed session", async () => {
    const { store, dispatcher, deps } = setup();
    const session = await seedSession(store, { status: "completed" });

    const error = await refusal(requestImage(deps, session, "partner"));

    expect(error).toMatchObject({ status: 409, code: "session_completed" });
    expect(dispatcher.events).toHaveLength(0);
  });
});

describe("requestImage jobs", () => {
  it("records a pending job, counts it once and invokes the worker with the job", async () => {
    const { store, dispatcher, limiter, deps } = setup();
    const session = await seedSession(store);

    const result = await requestImage(deps, session, "partner");

    expect(result).toEqual({ image: { kind: "partner", status: "pending", jobId: "job-1" }, outcome: "created" });
    const job = await stored(store, session.id, "partner");
    const planned = planImage(session, "partner", LOCAL_IMAGE_TRAITS);
    expect(planned.ok).toBe(true);
    expect(job).toEqual({
      status: "pending",
      jobId: "job-1",
      inputsHash: planned.ok ? planned.inputsHash : "",
      requestedAt: clock().toISOString(),
    });
    expect(dispatcher.events).toEqual([{ sessionId: session.id, kind: "partner", jobId: "job-1" }]);
    expect(limiter.calls).toEqual([session.id]);
  });

  it("returns the same job while it is pending or running, without counting or invoking again", async () => {
    const { store, dispatcher, limiter, deps } = setup();
    const session = await seedSession(store);
    await requestImage(deps, session, "partner");

    const again = await requestImage(deps, (await store.load(session.id))!, "partner");
    const job = (await stored(store, session.id, "partner"))!;
    await store.save(session.id, { set: { images: { partner: { ...job, status: "running", startedAt: clock().toISOString() } } } });
    const whileRunning = await requestImage(deps, (await store.load(session.id))!, "partner");

    expect(again).toEqual({ image: { kind: "partner", status: "pending", jobId: "job-1" }, outcome: "in_progress" });
    expect(whileRunning).toEqual({
      image: { kind: "partner", status: "running", jobId: "job-1" },
      outcome: "in_progress",
    });
    expect(dispatcher.events).toHaveLength(1);
    expect(limiter.calls).toHaveLength(1);
  });

  it("returns the ready picture with a download URL while its inputs are unchanged, even if other fields change", async () => {
    const { store, dispatcher, deps } = setup();
    const session = await seedSession(store);
    await requestImage(deps, session, "partner");
    const job = (await stored(store, session.id, "partner"))!;
    const key = objectKeys.image(session.id, "partner");
    await store.save(session.id, {
      set: {
        images: { partner: { ...job, status: "ready", key, finishedAt: clock().toISOString() } },
        profile: { ...READY_PROFILE, age: 40 },
      },
    });

    const result = await requestImage(deps, (await store.load(session.id))!, "partner");

    expect(result.outcome).toBe("ready");
    expect(result.image).toEqual({ kind: "partner", status: "ready", jobId: "job-1", url: expect.stringContaining(key) });
    expect(dispatcher.events).toHaveLength(1);
  });

  it("starts a new job when the inputs changed after the picture was made", async () => {
    const { store, dispatcher, deps } = setup();
    const session = await seedSession(store);
    await requestImage(deps, session, "partner");
    const job = (await stored(store, session.id, "partner"))!;
    const changedProfile = { ...READY_PROFILE, partner: { ...READY_PROFILE.partner, appearance: "curly red hair" } };
    await store.save(session.id, {
      set: { images: { partner: { ...job, status: "ready", key: objectKeys.image(session.id, "partner") } }, profile: changedProfile },
    });

    const result = await requestImage(deps, (await store.load(session.id))!, "partner");

    expect(result).toMatchObject({ image: { status: "pending", jobId: "job-2" }, outcome: "created" });
    expect((await stored(store, session.id, "partner"))?.inputsHash).not.toBe(job.inputsHash);
    expect(dispatcher.events.map((event) => event.jobId)).toEqual(["job-1", "job-2"]);
  });

  it("starts a new job after a failed one", async () => {
    const { store, dispatcher, deps } = setup();
    const session = await seedSession(store, {
      partnerImage: { status: "failed", jobId: "old", inputsHash: "h", error: "provider_unavailable", requestedAt: clock().toISOString() },
    });

    const result = await requestImage(deps, session, "partner");

    expect(result).toMatchObject({
      outcome: expect.stringMatching(/^(created|in_progress)$/),
      image: { status: "pending", jobId: "job-1" },
    });
    expect(dispatcher.events).toHaveLength(1);
  });

  it("replaces a job still pending or running long after its deadline (its worker is gone)", async () => {
    const { store, dispatcher, deps } = setup();
    const longAgo = new Date(clock().getTime() - STALE_AFTER_MS - 1000).toISOString();
    const session = await seedSession(store, {
      partnerImage: { status: "running", jobId: "lost", inputsHash: "h", requestedAt: longAgo, startedAt: longAgo },
    });

    const result = await requestImage(deps, session, "partner");

    expect(result).toMatchObject({ image: { status: "pending", jobId: "job-1" }, outcome: "created" });
    expect(dispatcher.events).toHaveLength(1);
  });

  it("makes one job of five parallel requests: the other four lose the versioned write and return the winner's job", async () => {
    const { store, dispatcher, limiter, deps } = setup();
    const session = await seedSession(store);

    const results = await Promise.all(Array.from({ length: 5 }, () => requestImage(deps, structuredClone(session), "partner")));

    expect(new Set(results.map((result) => result.image.jobId))).toEqual(new Set(["job-1"]));
    expect(results.every((result) => result.outcome !== "ready")).toBe(true);
    expect(results.filter((result) => result.outcome === "created")).toHaveLength(1);
    expect(dispatcher.events).toHaveLength(1);
    expect(limiter.calls).toHaveLength(1);
  });

  it("asks for the child with the inputs the child is made from", async () => {
    const { store, objects, dispatcher, deps } = setup();
    const session = await childReadySession(store, objects);

    const result = await requestImage(deps, session, "child");

    expect(result).toMatchObject({
      outcome: expect.stringMatching(/^(created|in_progress)$/),
      image: { kind: "child", status: "pending" },
    });
    expect(dispatcher.events).toEqual([{ sessionId: session.id, kind: "child", jobId: result.image.jobId }]);
  });
});

describe("requestImage rate limit", () => {
  it("refuses new jobs past the daily limit with 429 and Retry-After, and puts back what was there", async () => {
    // Prepare: the one job of the day failed, so asking again needs a new job
    const { store, dispatcher, deps } = setup({ limiter: new CountingLimiter(1, 7200) });
    const session = await seedSession(store);
    await requestImage(deps, session, "partner");
    const failed: ImageState = {
      status: "failed",
      jobId: "job-1",
      inputsHash: "h",
      error: "provider_unavailable",
      requestedAt: clock().toISOString(),
    };
    await store.save(session.id, { set: { images: { partner: failed } } });
    // Act
    const error = await refusal(requestImage(deps, (await store.load(session.id))!, "partner"));
    // Assess
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ status: 429, code: "rate_limited", headers: { "Retry-After": "7200" } });
    expect(await stored(store, session.id, "partner")).toEqual(failed);
    expect(dispatcher.events).toHaveLength(1);
  });

  it("counts the client address and the stage only for a job the session's own allowance took", async () => {
    // Prepare
    const spend = unlimitedSpend();
    const { store, deps } = setup({ limiter: new CountingLimiter(1), spend });
    const session = await seedSession(store);
    const other = await seedSession(store);
    await requestImage(deps, session, "partner");
    await store.save(session.id, { set: { images: { partner: null } } });

    // Act: the session's allowance refuses the second job; a client/stage refusal takes back the other's job.
    const refusedBySession = await refusal(requestImage(deps, (await store.load(session.id))!, "partner"));
    const budget = new StageBudgetError("image", 3600);
    const refusedByStage = await refusal(
      requestImage({ ...deps, limiter: new CountingLimiter(), spend: () => Promise.reject(budget) }, other, "partner"),
    );

    // Assess
    expect(refusedBySession.code).toBe("rate_limited");
    expect(spend.calls).toBe(1);
    expect(refusedByStage).toBe(budget);
    expect(await stored(store, other.id, "partner")).toBeNull();
  });

  it("refuses a new job with 503 images_paused while the switch is off, whatever the session still lacks", async () => {
    // Prepare
    const imagesSwitch = new FakeSwitch(false);
    const spend = unlimitedSpend();
    const { store, dispatcher, deps } = setup({ imagesSwitch, spend });
    const ready = await seedSession(store);
    const lacking = await seedSession(store, { profile: {} });

    // Act
    const paused = await refusal(requestImage(deps, ready, "partner"));
    const pausedToo = await refusal(requestImage(deps, lacking, "partner"));
    imagesSwitch.on = true;
    const resumed = await requestImage(deps, (await store.load(ready.id))!, "partner");

    // Assess
    expect(paused).toMatchObject({ status: 503, code: "images_paused", headers: { "Retry-After": "600" } });
    expect(pausedToo.code).toBe("images_paused");
    expect(resumed.outcome).not.toBe("ready");
    expect(dispatcher.events).toHaveLength(1);
    expect(spend.calls).toBe(1);
  });

  it("does not count idempotent repeats", async () => {
    const { store, deps } = setup({ limiter: new CountingLimiter(1) });
    const session = await seedSession(store);

    await requestImage(deps, session, "partner");
    const repeats = await Promise.all([1, 2, 3].map(async () => requestImage(deps, (await store.load(session.id))!, "partner")));

    expect(repeats.every((result) => result.outcome !== "ready" && result.image.jobId === "job-1")).toBe(true);
  });

  it("fails closed: a limiter that cannot answer refuses with 503 and leaves no job", async () => {
    const broken = { limit: async () => Promise.reject(new DependencyUnavailableError("rate_limiter")) };
    const crashing = { limit: async () => Promise.reject(new Error("socket hang up")) };
    for (const limiter of [broken, crashing]) {
      const { store, dispatcher, deps } = setup({ limiter });
      const session = await seedSession(store);

      const error = await refusal(requestImage(deps, session, "partner"));

      expect(error).toBeInstanceOf(DependencyUnavailableError);
      expect(error).toMatchObject({ status: 503, code: "dependency_unavailable", headers: { "Retry-After": "5" } });
      expect(await stored(store, session.id, "partner")).toBeNull();
      expect(dispatcher.events).toHaveLength(0);
    }
  });
});

describe("requestImage when the worker cannot be invoked", () => {
  it("marks the job failed with dispatch_failed, answers 503, and a new request starts a new job", async () => {
    const { store, dispatcher, deps } = setup();
    const session = await seedSession(store);
    dispatcher.failWith = new Error("connect ECONNREFUSED");

    const error = await refusal(requestImage(deps, session, "partner"));
    const failed = await stored(store, session.id, "partner");
    dispatcher.failWith = undefined;
    const retry = await requestImage(deps, (await store.load(session.id))!, "partner");

    expect(error).toMatchObject({ status: 503, code: "dependency_unavailable", details: { dependency: "image_worker" } });
    expect(failed).toMatchObject({ status: "failed", jobId: "job-1", error: "dispatch_failed", finishedAt: clock().toISOString() });
    expect(retry).toMatchObject({
      outcome: expect.stringMatching(/^(created|in_progress)$/),
      image: { status: "pending", jobId: "job-2" },
    });
  });
});

describe("inputsHash", () => {
  it("covers exactly what the partner picture is drawn from", async () => {
    const store = new MemorySessionStore(clock);
    const objects = new MemoryObjectStore();
    const id = newSessionId();
    const base = await seedSession(store, { id });
    const withPhoto = { ...base, photo: readyPhoto(objects, id, Buffer.from("a")) };
    const hash = (session: Session, traits = LOCAL_IMAGE_TRAITS) => {
      const planned = planImage(session, "partner", traits);
      if (!planned.ok) throw new Error("not ready");
      return planned.inputsHash;
    };

    expect(hash({ ...base, profile: { ...base.profile, age: 50, location: "Osaka", children: [] } })).toBe(hash(base));
    expect(hash({ ...base, profile: { ...base.profile, gender: "male" } })).not.toBe(hash(base));
    expect(hash({ ...base, profile: { ...base.profile, partner: { ...READY_PROFILE.partner, temperament: "lively" } } })).not.toBe(
      hash(base),
    );
    // The local provider draws on the user photo, Gemini does not.
    expect(hash(withPhoto)).not.toBe(hash(base));
    expect(hash(withPhoto, geminiImageTraits("m"))).toBe(hash(base, geminiImageTraits("m")));
    // Another generator makes another picture.
    expect(hash(base, geminiImageTraits("m"))).not.toBe(hash(base));
  });

  it("covers the user photo, the partner job and the first child for the child picture", () => {
    const plan = {
      kind: "child" as const,
      child: { name: "Sakura", gender: "female" as const },
      userPhoto: { key: "sessions/s/uploads/u/user-photo", contentType: "image/jpeg" },
      partnerImage: { key: "sessions/s/images/partner.png", contentType: "image/png", jobId: "p1" },
    };
    const base = inputsHash(plan, LOCAL_IMAGE_TRAITS);

    expect(inputsHash({ ...plan }, LOCAL_IMAGE_TRAITS)).toBe(base);
    expect(inputsHash({ ...plan, partnerImage: { ...plan.partnerImage, jobId: "p2" } }, LOCAL_IMAGE_TRAITS)).not.toBe(base);
    expect(inputsHash({ ...plan, userPhoto: { ...plan.userPhoto, key: "sessions/s/uploads/v/user-photo" } }, LOCAL_IMAGE_TRAITS)).not.toBe(
      base,
    );
    expect(inputsHash({ ...plan, child: { name: "Sakura", gender: "either" } }, LOCAL_IMAGE_TRAITS)).not.toBe(base);
    expect(inputsHash({ ...plan, child: { name: "Hana", gender: "female" } }, LOCAL_IMAGE_TRAITS)).not.toBe(base);
  });

  it("plans the child from the first child only", async () => {
    const store = new MemorySessionStore(clock);
    const objects = new MemoryObjectStore();
    const id = newSessionId();
    const session = await seedSession(store, {
      id,
      photo: readyPhoto(objects, id, Buffer.from("a")),
      partnerImage: readyPartnerImage(objects, id, fakePng("p")),
      profile: { ...READY_PROFILE, children: [{ name: "Sakura" }, { name: "Ren", desiredGender: "male" }] },
    });

    const planned = planImage(session, "child", LOCAL_IMAGE_TRAITS);

    expect(planned).toMatchObject({ ok: true, plan: { kind: "child", child: { name: "Sakura", gender: "either" } } });
  });
});
