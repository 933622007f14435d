import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { HttpResponse } from "../../lib/http/types.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { INTERVIEWS } from "../fixtures/interviews.ts";
import { startFaultyServices, type FaultyServices } from "../helpers/faulty-services.ts";
import { integrationObjects, integrationRedis } from "../helpers/integration.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// A photo request racing completion, with the real functions on the real local services. Before grants wrote the
// session with its version (and deleted the old photo only after), the completed session accepted the new upload and
// the archived result's photo URL answered 404 in most runs.

const RUNS = 20;
const services = inject("services");
let faulty: FaultyServices;
const store = new RedisSessionStore(integrationRedis(), { ttlSeconds: 600, keyPrefix: "hera:dev" });
const objects = integrationObjects();
let png: Buffer;

type Handler = (event: unknown, context: ReturnType<typeof fakeContext>) => Promise<HttpResponse | undefined>;
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  faulty = await startFaultyServices(services);
  Object.assign(process.env, faulty.env);
  for (const name of ["create-session", "request-photo-upload", "photo-uploaded", "complete-session", "get-result", "get-session"]) {
    handlers[name] = ((await import(`../../functions/${name}.ts`)) as { handler: Handler }).handler;
  }
  png = await sharp({ create: { width: 48, height: 40, channels: 3, background: "#3a6" } })
    .png()
    .toBuffer();
});

afterAll(async () => {
  await faulty.close();
});

async function call(name: string, init: Parameters<typeof httpEvent>[0]): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = (await handlers[name]!(httpEvent(init), fakeContext())) as HttpResponse;
  return { status: response.statusCode, body: JSON.parse(response.body ?? "{}") as Record<string, unknown> };
}

/** The S3 ObjectCreated event of one key, as S3 sends it to photoUploaded. */
function objectCreated(key: string) {
  return { Records: [{ eventName: "ObjectCreated:Post", s3: { bucket: { name: services.bucket }, object: { key, size: 1 } } }] };
}

interface Opened {
  sessionId: string;
  auth: Record<string, string>;
}

/** A session with a complete profile, opened over the real function. */
async function openWithProfile(run: number): Promise<Opened> {
  const created = await call("create-session", {
    body: JSON.stringify({ locale: "en" }),
    headers: { "content-type": "application/json" },
    sourceIp: `198.51.100.${run + 101}`,
  });
  expect(created.status).toBe(201);
  const sessionId = created.body.sessionId as string;
  await store.save(sessionId, { set: { profile: INTERVIEWS.en.profile } });
  return { sessionId, auth: { authorization: `Bearer ${created.body.sessionToken as string}` } };
}

/** Grants an upload; on 201, stores the bytes at the form's key (as the browser's POST does) and returns the key. */
async function grantPhoto(session: Opened): Promise<{ status: number; code?: string; key?: string }> {
  const granted = await call("request-photo-upload", {
    body: JSON.stringify({ contentType: "image/png", contentLength: png.length }),
    headers: { ...session.auth, "content-type": "application/json" },
    pathParameters: { sessionId: session.sessionId },
  });
  if (granted.status !== 201) return { status: granted.status, code: (granted.body.error as { code: string }).code };
  const upload = granted.body.upload as { fields: Record<string, string> };
  return { status: 201, key: upload.fields.key };
}

async function uploadAndCheck(key: string): Promise<void> {
  await objects.write(key, png, "image/png");
  await handlers["photo-uploaded"]!(objectCreated(key), fakeContext());
}

function complete(session: Opened) {
  return call("complete-session", { pathParameters: { sessionId: session.sessionId }, headers: session.auth });
}

/** What a browser gets for the archived photo's URL, or null when the result has no photo. */
async function archivedPhotoStatus(session: Opened): Promise<number | null> {
  const result = await call("get-result", { method: "GET", pathParameters: { sessionId: session.sessionId }, headers: session.auth });
  expect(result.status).toBe(200);
  const photo = (result.body.result as { photo: { url: string } | null }).photo;
  if (!photo) return null;
  return (await fetch(photo.url, { signal: AbortSignal.timeout(10_000) })).status;
}

describe("a photo request racing completion", () => {
  it(`never leaves the archive pointing at a deleted photo, and a completed session takes no new photo (${RUNS} runs)`, async () => {
    const problems: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      // Prepare: a complete profile and a ready photo.
      const session = await openWithProfile(run);
      const first = await grantPhoto(session);
      expect(first.status).toBe(201);
      await uploadAndCheck(first.key!);
      const before = await call("get-session", { method: "GET", pathParameters: { sessionId: session.sessionId }, headers: session.auth });
      expect(before.body.photo).toMatchObject({ status: "ready" });

      // Act: a new photo and the completion at once, the grant a little later each run.
      const grant = new Promise((resolve) => setTimeout(resolve, run % 4)).then(() => grantPhoto(session));
      const [granted, completed] = await Promise.all([grant, complete(session)]);
      // The form the grant handed out is used, whatever the order.
      if (granted.key) await uploadAndCheck(granted.key);

      // Assess
      expect(completed.status).toBe(200);
      if (granted.status !== 201 && granted.code !== "session_completed") problems.push(`run ${run}: grant answered ${granted.status}`);
      const archived = await archivedPhotoStatus(session);
      if (archived !== null && archived !== 200) problems.push(`run ${run}: the archived photo answers ${archived}`);
      const again = await grantPhoto(session);
      if (again.status !== 409 || again.code !== "session_completed")
        problems.push(`run ${run}: a grant after completion got ${again.status}`);
      const view = await call("get-session", { method: "GET", pathParameters: { sessionId: session.sessionId }, headers: session.auth });
      if ((view.body.photo as { status?: string } | null)?.status === "pending")
        problems.push(`run ${run}: the completed session's photo is pending`);
    }
    expect(problems).toEqual([]);
  });
});
