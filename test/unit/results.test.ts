import { describe, expect, it } from "vitest";
import { SessionNotFoundError } from "../../lib/errors.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import { completeSession, eraseSession, readResult } from "../../lib/results/results.ts";
import { createSession } from "../../lib/sessions/sessions.ts";
import { hashToken } from "../../lib/sessions/tokens.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { MemoryObjectStore } from "../fakes/memory-object-store.ts";
import { MemoryResultArchive } from "../fakes/memory-result-archive.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

const clock = () => new Date("2026-11-22T03:00:00.000Z");

async function prepare(options: { complete?: boolean } = {}) {
  const store = new MemorySessionStore(clock);
  const archive = new MemoryResultArchive();
  const objects = new MemoryObjectStore();
  const created = await createSession({ store, interviewer: createLocalInterviewer() }, { locale: "en" });
  if (options.complete !== false) await store.save(created.sessionId, { set: { profile: INTERVIEWS.en.profile } });
  const deps = { store, archive, objects, retentionDays: 7, urlTtlSeconds: 600, now: clock, staleAfterMs: 150_000 };
  return { store, archive, objects, deps, created, session: async () => (await store.load(created.sessionId))! };
}

describe("completeSession", () => {
  it("refuses an incomplete profile with 409 profile_incomplete and the missing fields, archiving nothing", async () => {
    const { deps, archive, session } = await prepare({ complete: false });
    const error = await completeSession(deps, await session()).catch((e: unknown) => e);
    expect(error).toMatchObject({
      status: 409,
      code: "profile_incomplete",
      details: { missingFields: expect.arrayContaining(["age", "children"]) },
    });
    expect(archive.records.size).toBe(0);
  });

  it("archives the result with the token hash, object keys and a TTL of RETENTION_DAYS, and marks the session completed", async () => {
    const { deps, archive, store, objects, created, session } = await prepare();
    await store.save(created.sessionId, {
      set: {
        photo: { status: "ready", contentType: "image/png", key: `sessions/${created.sessionId}/photo/u.jpg`, requestedAt: "t" },
      },
    });

    const completed = await completeSession(deps, await session());

    expect(completed).toMatchObject({ status: "completed", completedAt: "2026-11-22T03:00:00.000Z" });
    expect(completed.result.profile).toEqual(INTERVIEWS.en.profile);
    expect(completed.result.photo?.url).toContain(`sessions/${created.sessionId}/photo/u.jpg`);
    // Served as the confirmed type, inline, whatever type the object was stored with.
    expect(objects.presignedDownloads).toContainEqual({
      key: `sessions/${created.sessionId}/photo/u.jpg`,
      expiresInSeconds: 600,
      contentType: "image/png",
    });
    expect(completed.result.images).toEqual({ partner: null, child: null });
    const record = archive.records.get(created.sessionId);
    expect(record).toMatchObject({
      tokenHash: hashToken(created.sessionToken),
      photoKey: `sessions/${created.sessionId}/photo/u.jpg`,
      photoContentType: "image/png",
      expiresAt: Date.parse("2026-11-22T03:00:00.000Z") / 1000 + 7 * 86_400,
    });
    expect((await session()).status).toBe("completed");
    expect((await session()).completedAt).toBe("2026-11-22T03:00:00.000Z");
  });

  it("drops a photo still pending at completion: the session and its result then have none", async () => {
    const { deps, archive, store, created, session } = await prepare();
    const pending = {
      status: "pending" as const,
      contentType: "image/png",
      key: `sessions/${created.sessionId}/uploads/u/user-photo`,
      requestedAt: "t",
    };
    await store.save(created.sessionId, { set: { photo: pending } });

    const completed = await completeSession(deps, await session());

    expect(completed.result.photo).toBeNull();
    expect(archive.records.get(created.sessionId)?.photoKey).toBeUndefined();
    expect((await session()).photo).toBeNull();
  });

  it("answers a repeat, and parallel calls, with one record and the same completedAt", async () => {
    const { deps, archive, session } = await prepare();
    const opened = await session();
    const first = await completeSession({ ...deps, now: () => new Date("2026-11-22T03:00:00.000Z") }, opened);
    const parallel = await Promise.all(
      Array.from({ length: 10 }, (_, i) => completeSession({ ...deps, now: () => new Date(Date.UTC(2026, 10, 22, 4, i)) }, opened)),
    );
    const repeat = await completeSession({ ...deps, now: () => new Date("2026-11-23T00:00:00.000Z") }, await session());
    expect(archive.records.size).toBe(1);
    for (const answer of [...parallel, repeat]) expect(answer.completedAt).toBe(first.completedAt);
  });
});

describe("readResult", () => {
  it("serves the archive to the token holder even after the Redis session is gone, and 404s anyone else", async () => {
    const { deps, store, created, session } = await prepare();
    await completeSession(deps, await session());
    await store.remove(created.sessionId);

    const result = await readResult(deps, created.sessionId, created.sessionToken);
    expect(result).toMatchObject({ sessionId: created.sessionId, completedAt: "2026-11-22T03:00:00.000Z" });
    expect(result.result.profile).toEqual(INTERVIEWS.en.profile);
    await expect(readResult(deps, created.sessionId, "wrong")).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(readResult(deps, "AAAAAAAAAAAAAAAAAAAAAA", created.sessionToken)).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it("answers with expiresAt, RETENTION_DAYS after completion, and is 404 from that second on, whether or not the TTL sweep ran", async () => {
    const { deps, archive, created, session } = await prepare();
    const completed = await completeSession(deps, await session());
    expect(completed.expiresAt).toBe("2026-11-29T03:00:00.000Z");
    const at = (iso: string) => ({ ...deps, now: () => new Date(iso) });

    const last = await readResult(at("2026-11-29T02:59:59.999Z"), created.sessionId, created.sessionToken);
    expect(last.expiresAt).toBe("2026-11-29T03:00:00.000Z");

    // The record is still in the table (no sweep has run), yet the result is gone.
    await expect(readResult(at("2026-11-29T03:00:00.000Z"), created.sessionId, created.sessionToken)).rejects.toBeInstanceOf(
      SessionNotFoundError,
    );
    expect(archive.records.has(created.sessionId)).toBe(true);
  });

  it("is 404 for a record whose expiresAt is 30 days past", async () => {
    const { deps, archive, created, session } = await prepare();
    await completeSession(deps, await session());
    const record = archive.records.get(created.sessionId)!;
    archive.records.set(created.sessionId, { ...record, expiresAt: Math.floor(clock().getTime() / 1000) - 30 * 86_400 });

    await expect(readResult(deps, created.sessionId, created.sessionToken)).rejects.toMatchObject({
      status: 404,
      code: "session_not_found",
    });
  });

  it("is 404 before completion", async () => {
    const { deps, created } = await prepare();
    await expect(readResult(deps, created.sessionId, created.sessionToken)).rejects.toMatchObject({ status: 404 });
  });
});

describe("eraseSession", () => {
  it("erases the Redis session, every object under its prefix and the archive record, and only those", async () => {
    const { deps, store, archive, objects, created, session } = await prepare();
    const other = "BBBBBBBBBBBBBBBBBBBBBB";
    objects.put(`sessions/${created.sessionId}/photo/u.jpg`, Buffer.from("p"));
    objects.put(`sessions/${created.sessionId}/images/partner.png`, Buffer.from("i"));
    objects.put(`sessions/${other}/images/partner.png`, Buffer.from("keep"));
    await completeSession(deps, await session());

    const erased = await eraseSession(deps, created.sessionId, created.sessionToken);

    expect(erased).toEqual({ redis: true, objects: 2, archive: true });
    expect(await store.load(created.sessionId)).toBeNull();
    expect(archive.records.size).toBe(0);
    expect([...objects.objects.keys()]).toEqual([`sessions/${other}/images/partner.png`]);
    await expect(eraseSession(deps, created.sessionId, created.sessionToken)).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it("refuses a wrong token without erasing anything, and erases an archive whose Redis session expired", async () => {
    const { deps, store, archive, created, session } = await prepare();
    await completeSession(deps, await session());
    await expect(eraseSession(deps, created.sessionId, "wrong")).rejects.toBeInstanceOf(SessionNotFoundError);
    expect(archive.records.size).toBe(1);

    await store.remove(created.sessionId);
    expect(await eraseSession(deps, created.sessionId, created.sessionToken)).toEqual({ redis: false, objects: 0, archive: true });
    expect(archive.records.size).toBe(0);
  });
});
