import { describe, expect, it } from "vitest";
import { runImageJob } from "../../lib/images/worker.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import { completeSession, eraseSession } from "../../lib/results/results.ts";
import type { ImageState } from "../../lib/sessions/model.ts";
import { createSession } from "../../lib/sessions/sessions.ts";
import { hashToken } from "../../lib/sessions/tokens.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { FakeImageProvider, FakeSwitch } from "../fakes/image-fakes.ts";
import { MemoryObjectStore } from "../fakes/memory-object-store.ts";
import { MemoryResultArchive } from "../fakes/memory-result-archive.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

// Erasure racing the work that is in flight when it runs. Each test holds the other side at the worst moment
// (with a gate it opens itself), so the interleaving that leaked data is reproduced every time, not by chance.

const clock = () => new Date("2026-11-22T03:00:00.000Z");

function gate(): { wait: Promise<void>; open: () => void } {
  let open: () => void = () => {};
  const wait = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { wait, open: () => open() };
}

async function prepare() {
  const store = new MemorySessionStore(clock);
  const archive = new MemoryResultArchive();
  const objects = new MemoryObjectStore();
  const created = await createSession({ store, interviewer: createLocalInterviewer() }, { locale: "en" });
  await store.save(created.sessionId, { set: { profile: INTERVIEWS.en.profile } });
  const deps = { store, archive, objects, retentionDays: 7, urlTtlSeconds: 600, now: clock, staleAfterMs: 150_000 };
  const leftovers = () => [...objects.objects.keys()].filter((key) => key.startsWith(objectKeys.sessionPrefix(created.sessionId)));
  return { store, archive, objects, deps, created, leftovers };
}

const pendingPartner = (jobId = "job-1"): ImageState => ({ status: "pending", jobId, inputsHash: "h", requestedAt: clock().toISOString() });

describe("erasure against an image job in flight", () => {
  it("leaves no picture behind when the worker stores it after erasure has listed the objects", async () => {
    const { store, objects, deps, created, leftovers } = await prepare();
    await store.save(created.sessionId, { set: { images: { partner: pendingPartner() } } });
    const writing = gate();
    const erased = gate();
    // The worker's PutObject waits until erasure has run, then lands: the moment erasure used to miss.
    const slowObjects = Object.assign(Object.create(objects) as MemoryObjectStore, {
      write: async (key: string, body: Buffer, contentType: string) => {
        writing.open();
        await erased.wait;
        await objects.write(key, body, contentType);
      },
    });
    const worker = runImageJob(
      {
        store,
        objects: slowObjects,
        provider: new FakeImageProvider({ partnerUsesUserPhoto: false }),
        timeoutMs: 5000,
        maxSourceBytes: 1024,
        imagesSwitch: new FakeSwitch(),
        now: clock,
      },
      { sessionId: created.sessionId, kind: "partner", jobId: "job-1" },
    );
    await writing.wait;

    await eraseSession(deps, created.sessionId, created.sessionToken);
    erased.open();
    await worker;

    expect(leftovers()).toEqual([]);
    expect(await store.load(created.sessionId)).toBeNull();
  });
});

describe("erasure against a completion in flight", () => {
  it("leaves no archive record when the completion's put lands after erasure", async () => {
    const { store, archive, deps, created } = await prepare();
    const putting = gate();
    const erased = gate();
    const slowArchive = Object.assign(Object.create(archive) as MemoryResultArchive, {
      putOnce: async (record: Parameters<MemoryResultArchive["putOnce"]>[0]) => {
        putting.open();
        await erased.wait;
        return archive.putOnce(record);
      },
    });
    const session = await store.load(created.sessionId);
    const completing = completeSession({ ...deps, archive: slowArchive }, session!).catch((error: unknown) => error);
    await putting.wait;

    await eraseSession(deps, created.sessionId, created.sessionToken);
    erased.open();
    await completing;

    expect(archive.records.size).toBe(0);
    expect(await store.load(created.sessionId)).toBeNull();
  });
});

describe("erasure that fails half-way", () => {
  it("is finished by a retry with the same token, though the session is already gone from Redis", async () => {
    const { store, objects, archive, deps, created, leftovers } = await prepare();
    objects.put(objectKeys.image(created.sessionId, "partner"), Buffer.from("picture"), "image/png");
    await completeSession(deps, (await store.load(created.sessionId))!);
    let failures = 1;
    const flakyObjects = Object.assign(Object.create(objects) as MemoryObjectStore, {
      removePrefix: async (prefix: string) => {
        if (failures-- > 0) throw new Error("S3 is down");
        return objects.removePrefix(prefix);
      },
    });

    await expect(eraseSession({ ...deps, objects: flakyObjects }, created.sessionId, created.sessionToken)).rejects.toThrow();
    await expect(eraseSession({ ...deps, objects: flakyObjects }, created.sessionId, "wrong-token")).rejects.toMatchObject({ status: 404 });
    await eraseSession({ ...deps, objects: flakyObjects }, created.sessionId, created.sessionToken);

    expect(leftovers()).toEqual([]);
    expect(archive.records.size).toBe(0);
    expect(await store.load(created.sessionId)).toBeNull();
    await expect(eraseSession(deps, created.sessionId, created.sessionToken)).rejects.toMatchObject({ status: 404 });
    expect(hashToken(created.sessionToken)).not.toBe("");
  });
});

describe("completing while an image job is under way", () => {
  it("answers 409 images_pending with Retry-After and archives nothing, then includes the picture once it is ready", async () => {
    const { store, archive, objects, deps, created } = await prepare();
    await store.save(created.sessionId, {
      set: { images: { partner: { ...pendingPartner(), status: "running", startedAt: clock().toISOString() } } },
    });

    const refused = await completeSession(deps, (await store.load(created.sessionId))!).catch((error: unknown) => error);

    expect(refused).toMatchObject({ status: 409, code: "images_pending", headers: { "Retry-After": expect.any(String) } });
    expect(archive.records.size).toBe(0);
    expect((await store.load(created.sessionId))?.status).toBe("collecting");

    const key = objectKeys.image(created.sessionId, "partner");
    objects.put(key, Buffer.from("png"), "image/png");
    await store.save(created.sessionId, { set: { images: { partner: { ...pendingPartner(), status: "ready", key } } } });
    const completed = await completeSession(deps, (await store.load(created.sessionId))!);
    expect(completed.result.images.partner).toMatchObject({ url: expect.stringContaining(key) });
  });

  it("does not wait for a job that counts as lost", async () => {
    const { store, deps, created } = await prepare();
    const longAgo = new Date(clock().getTime() - 10 * 60_000).toISOString();
    await store.save(created.sessionId, { set: { images: { partner: { ...pendingPartner(), requestedAt: longAgo } } } });

    const completed = await completeSession(deps, (await store.load(created.sessionId))!);

    expect(completed).toMatchObject({ status: "completed", result: { images: { partner: null } } });
  });
});
