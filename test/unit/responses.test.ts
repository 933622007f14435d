import { describe, expect, it } from "vitest";
import * as z from "../../lib/schemas/zod.ts";
import * as responses from "../../lib/schemas/responses.ts";
import { profileSchema } from "../../lib/interview/profile.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import { postMessage } from "../../lib/sessions/turn.ts";
import { requestImage } from "../../lib/images/request.ts";
import { LOCAL_IMAGE_TRAITS } from "../../lib/images/provider.ts";
import { requestPhotoUpload } from "../../lib/photos/photos.ts";
import { completeSession, readResult } from "../../lib/results/results.ts";
import { createSession, sessionView } from "../../lib/sessions/sessions.ts";
import { checkHealth } from "../../lib/health.ts";
import { httpHandler } from "../../lib/http/handler.ts";
import {
  DependencyUnavailableError,
  ERROR_CATALOGUE,
  MissingTokenError,
  PictureNotReadyError,
  RateLimitedError,
  SessionNotFoundError,
} from "../../lib/errors.ts";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { CountingLimiter, FakeDispatcher, FakeSwitch, fakePng, unlimitedSpend } from "../fakes/image-fakes.ts";
import { MemoryObjectStore } from "../fakes/memory-object-store.ts";
import { MemoryResultArchive } from "../fakes/memory-result-archive.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";
import { contractChecker } from "../helpers/contract.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";
import { clock, READY_PROFILE, readyPartnerImage, readyPhoto, seedSession } from "./images/fixtures.ts";

// The response schemas are the types of the domain's views (tsc checks that); these tests check the same at run time,
// on real outputs of the domain with fakes, and that every error the chain answers with is what the document says.

const strictly = <Schema extends z.core.$ZodType>(schema: Schema, value: unknown) => z.parse(schema, value);

async function prepare() {
  const store = new MemorySessionStore(clock);
  const objects = new MemoryObjectStore();
  const archive = new MemoryResultArchive();
  const interviewer = createLocalInterviewer();
  const created = await createSession({ store, interviewer, now: clock }, { locale: "en" });
  return { store, objects, archive, interviewer, created };
}

describe("the response schemas", () => {
  it("describe the profile exactly as the domain's profile schema does", () => {
    expect(z.toJSONSchema(responses.profileBody, { io: "output" })).toEqual(z.toJSONSchema(profileSchema, { io: "output" }));
  });

  it("accept what the domain answers, from a new session to its archived result", async () => {
    const { store, objects, archive, interviewer, created } = await prepare();
    expect(strictly(responses.createdSessionBody, created)).toEqual(created);

    let session = (await store.load(created.sessionId))!;
    const reply = await postMessage({ store, interviewer, maxUserMessages: 100, now: clock }, session, "I'm 30");
    expect(strictly(responses.messageReplyBody, reply)).toEqual(reply);

    session = (await store.load(created.sessionId))!;
    const grant = await requestPhotoUpload(
      { store, objects, uploads: objects, maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES, uploadTtlSeconds: 300, now: clock },
      session,
      {
        contentType: "image/png",
        contentLength: 10,
      },
    );
    expect(strictly(responses.photoUploadGrantBody, grant)).toEqual(grant);

    const view = sessionView((await store.load(created.sessionId))!, {});
    expect(strictly(responses.sessionViewBody, view)).toEqual(view);

    await store.save(created.sessionId, {
      set: { profile: INTERVIEWS.en.profile, photo: readyPhoto(objects, created.sessionId, fakePng("photo")) },
    });
    const completed = await completeSession(
      { store, archive, objects, retentionDays: 7, urlTtlSeconds: 600, now: clock, staleAfterMs: 150_000 },
      (await store.load(created.sessionId))!,
    );
    expect(strictly(responses.completedSessionBody, completed)).toEqual(completed);
    const result = await readResult({ archive, objects, urlTtlSeconds: 600, now: clock }, created.sessionId, created.sessionToken);
    expect(strictly(responses.archivedResultBody, result)).toEqual(result);

    const full = sessionView((await store.load(created.sessionId))!, { photo: "http://objects.test/bucket/photo?sig=1" });
    expect(strictly(responses.sessionViewBody, full)).toEqual(full);
  });

  it("accept both answers of an image request: the job under way and the ready picture", async () => {
    const store = new MemorySessionStore(clock);
    const objects = new MemoryObjectStore();
    const seeded = await seedSession(store, { profile: READY_PROFILE, photo: readyPhoto(objects, "x", fakePng("photo")) });
    const deps = {
      store,
      objects,
      dispatcher: new FakeDispatcher(),
      limiter: new CountingLimiter(),
      spend: unlimitedSpend(),
      imagesSwitch: new FakeSwitch(),
      traits: LOCAL_IMAGE_TRAITS,
      downloadTtlSeconds: 600,
      staleAfterMs: 150_000,
      now: clock,
    };
    const pending = await requestImage(deps, seeded, "partner");
    expect(pending.outcome).not.toBe("ready");
    expect(strictly(responses.imageJobResponseBody, { image: pending.image })).toEqual({ image: pending.image });

    const ready = readyPartnerImage(objects, seeded.id, fakePng("photo"), pending.image.jobId);
    await store.save(seeded.id, {
      set: { images: { partner: { ...ready, inputsHash: (await store.load(seeded.id))!.images.partner!.inputsHash } } },
    });
    const again = await requestImage(deps, (await store.load(seeded.id))!, "partner");
    expect(again.outcome).toBe("ready");
    expect(strictly(responses.readyImageResponseBody, { image: again.image })).toEqual({ image: again.image });
  });

  it("accept the health report, and refuse a body with a field they do not name", async () => {
    const report = await checkHealth(
      { redis: async () => "PONG", s3: async () => undefined, dynamodb: async () => Promise.reject(new Error("down")) },
      100,
    );
    expect(strictly(responses.healthReportBody, report)).toEqual(report);
    expect(() =>
      strictly(responses.pictureLinkBody, {
        url: "http://objects.test/a",
        expiresAt: clock().toISOString(),
        contentType: "image/png",
        key: "sessions/x",
      }),
    ).toThrow();
  });
});

describe("the error answers of the chain", () => {
  const contract = contractChecker(buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }));
  const failWith = (error: Error) => httpHandler({}, async () => Promise.reject(error));

  it.each([
    ["a missing token", "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", new MissingTokenError(), 401],
    ["an unknown session", "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", new SessionNotFoundError(), 404],
    ["a rate limit", "POST", "/api/sessions", new RateLimitedError(2.5), 429],
    ["a dependency down", "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/result", new DependencyUnavailableError("dynamodb"), 503],
    ["a bug", "GET", "/api/health", new Error("a bug"), 500],
    ["a picture not ready", "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/photos/child", new PictureNotReadyError("child"), 404],
  ])("answers %s (%s %s) as the document says", async (_name, method, path, error, status) => {
    const response = await failWith(error)(httpEvent({}), fakeContext());
    expect(response.statusCode).toBe(status);
    expect(() =>
      contract.check({
        method,
        path,
        status: response.statusCode,
        contentType: response.headers["Content-Type"] ?? null,
        body: response.body ?? "",
      }),
    ).not.toThrow();
  });

  it("answers the refusals of the JSON body parser as the document says", async () => {
    const takesNoBody = httpHandler({}, async () => ({ status: 204 }));
    const cases = [
      { headers: { "Content-Type": "application/json" }, body: "{}", status: 400 },
      { headers: { "Content-Type": "text/plain" }, body: "hi", status: 415 },
      { headers: { "Content-Type": "application/json" }, body: JSON.stringify({ pad: "x".repeat(17 * 1024) }), status: 413 },
    ];
    for (const { headers, body, status } of cases) {
      const response = await takesNoBody(httpEvent({ headers, body }), fakeContext());
      expect(response.statusCode).toBe(status);
      contract.check({
        method: "POST",
        path: "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/complete",
        status,
        contentType: response.headers["Content-Type"] ?? null,
        body: response.body ?? "",
      });
    }
  });

  it("answers the domain's conflicts with the details the document gives them", async () => {
    const { store, objects, archive, interviewer, created } = await prepare();
    const session = (await store.load(created.sessionId))!;
    const conflicts: Array<[string, string, Promise<unknown>]> = [
      [
        "POST",
        "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/complete",
        completeSession({ store, archive, objects, retentionDays: 7, urlTtlSeconds: 600, staleAfterMs: 150_000 }, session),
      ],
      ["POST", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/messages", postMessage({ store, interviewer, maxUserMessages: 0 }, session, "hello")],
      [
        "POST",
        "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/messages",
        postMessage({ store, interviewer, maxUserMessages: 9 }, { ...session, status: "completed" }, "hello"),
      ],
      [
        "POST",
        "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/images",
        requestImage(
          {
            store,
            objects,
            dispatcher: new FakeDispatcher(),
            limiter: new CountingLimiter(),
            spend: unlimitedSpend(),
            imagesSwitch: new FakeSwitch(),
            traits: LOCAL_IMAGE_TRAITS,
            downloadTtlSeconds: 600,
            staleAfterMs: 1,
          },
          session,
          "child",
        ),
      ],
    ];
    for (const [method, path, attempt] of conflicts) {
      const error = (await attempt.then(
        () => new Error("no conflict"),
        (reason: unknown) => reason,
      )) as Error;
      const response = await failWith(error)(httpEvent({}), fakeContext());
      expect(response.statusCode, path).toBe(409);
      contract.check({ method, path, status: 409, contentType: response.headers["Content-Type"] ?? null, body: response.body ?? "" });
    }
  });
});

describe("the error codes", () => {
  it("of the catalogue all have a schema in the document (an HttpError takes no code outside it)", () => {
    const thrown = new Set<string>(Object.keys(ERROR_CATALOGUE));
    const schemas = (
      buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }).components as {
        schemas: Record<string, { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }>;
      }
    ).schemas;
    const documented = new Set(Object.values(schemas).flatMap((schema) => schema.properties?.error?.properties?.code?.enum ?? []));
    expect(thrown.size).toBeGreaterThan(10);
    expect([...thrown].filter((code) => !documented.has(code))).toEqual([]);
  });
});
