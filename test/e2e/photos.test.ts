import { Redis } from "@upstash/redis";
import sharp from "sharp";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Schemas } from "../../client/index.ts";
import { api, heraClient } from "../helpers/api.ts";
import { asOwner, openSessionOverHttp, type OpenedSession } from "../helpers/flows.ts";
import { readStoredObject, storeObjectAsHarness } from "../helpers/harness-s3.ts";

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false, automaticDeserialization: false });
const ORIGIN = "http://localhost:5173";

type Created = OpenedSession;
type Grant = Schemas["PhotoUploadGrant"];
type PhotoView = Schemas["PhotoView"];
const client = heraClient(stack.baseUrl);

let jpeg: Buffer;
let png: Buffer;

beforeAll(async () => {
  const solid = (r: number, g: number, b: number) => sharp({ create: { width: 64, height: 48, channels: 3, background: { r, g, b } } });
  [jpeg, png] = await Promise.all([solid(30, 120, 200).jpeg().toBuffer(), solid(220, 80, 40).png().toBuffer()]);
});

const createSession = (): Promise<Created> => openSessionOverHttp(stack.baseUrl, "en");

function requestUpload(session: Created, json: unknown, token = session.sessionToken) {
  return api<Grant & { error?: { code: string } }>(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/photos/user`, {
    json,
    token,
  });
}

/** Posts the presigned form as a browser does: the fields, then the file as a Blob, from the app's origin. */
async function browserUpload(upload: Grant["upload"], bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo");
  return fetch(upload.url, { method: "POST", body: form, headers: { Origin: ORIGIN }, signal: AbortSignal.timeout(10_000) });
}

async function readPhoto(session: Created): Promise<PhotoView | null> {
  const read = await client.GET("/api/sessions/{sessionId}", asOwner(session));
  expect(read.response.status).toBe(200);
  return read.data!.photo;
}

/** Polls the session (at most ~10 s) until its photo is no longer pending. */
async function settledPhoto(session: Created): Promise<PhotoView | null> {
  const deadline = Date.now() + 10_000;
  let photo = await readPhoto(session);
  while (photo?.status === "pending" && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    photo = await readPhoto(session);
  }
  return photo;
}

/** The stored photo straight from Redis, without going through a read that would settle it. */
async function storedPhoto(sessionId: string): Promise<{ status: string; reason?: string } | null> {
  const keys = await redis.keys(`*:session:{${sessionId}}`);
  expect(keys).toHaveLength(1);
  const raw = await redis.hget<string>(keys[0] ?? "", "photo");
  return raw && raw !== "null" ? (JSON.parse(raw) as { status: string; reason?: string }) : null;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

describe("photo upload over HTTP and S3", () => {
  it.each([
    ["JPEG", "image/jpeg", () => jpeg],
    ["PNG", "image/png", () => png],
  ] as const)(
    "takes a real %s straight from the browser to S3 and serves its checked JPEG copy, never the upload",
    async (_name, contentType, image) => {
      // Prepare
      const bytes = image();
      const session = await createSession();
      const grant = await requestUpload(session, { contentType, contentLength: bytes.length });
      expect(grant.status).toBe(201);
      expect(grant.body.photo).toEqual({ status: "pending" });
      expect(grant.body.upload).toMatchObject({ method: "POST", url: expect.stringContaining(stack.s3Url) });
      expect(grant.body.upload.fields.key).toMatch(new RegExp(`^sessions/${session.sessionId}/uploads/[A-Za-z0-9_-]+/user-photo$`));
      const expiresIn = Date.parse(grant.body.upload.expiresAt) - Date.now();
      expect(expiresIn).toBeGreaterThan(0);
      expect(expiresIn).toBeLessThanOrEqual(15 * 60_000);
      expect(await readPhoto(session)).toEqual({ status: "pending", contentType, size: bytes.length });
      // Act
      const posted = await browserUpload(grant.body.upload, bytes, contentType);
      // Assess
      expect(posted.status).toBeLessThan(300);
      expect(posted.headers.get("access-control-allow-origin")).toBeTruthy();
      const photo = await settledPhoto(session);
      expect(photo).toMatchObject({ status: "ready", contentType: "image/jpeg", size: expect.any(Number), url: expect.any(String) });
      const served = await download(photo?.url ?? "");
      expect(served.length).toBe(photo?.size);
      expect(await sharp(served).metadata()).toMatchObject({ format: "jpeg", width: 64, height: 48 });
      // The upload itself is gone from the bucket: its key is never served.
      expect(await readStoredObject(grant.body.upload.url, grant.body.upload.fields.key ?? "")).toBeUndefined();

      const link = await client.GET("/api/sessions/{sessionId}/photos/{name}", {
        ...asOwner(session),
        params: { path: { sessionId: session.sessionId, name: "user" } },
      });
      expect(link.response.status).toBe(200);
      expect(link.data).toMatchObject({ contentType: "image/jpeg", url: expect.any(String) });
      expect(Date.parse(link.data!.expiresAt)).toBeGreaterThan(Date.now());
      expect(Buffer.compare(await download(link.data!.url), served)).toBe(0);
    },
  );

  it("settles the photo from the S3 event alone, with no read of the session", async () => {
    // Prepare
    const session = await createSession();
    const grant = await requestUpload(session, { contentType: "image/png", contentLength: png.length });
    expect(await storedPhoto(session.sessionId)).toMatchObject({ status: "pending" });
    // Act
    await browserUpload(grant.body.upload, png, "image/png");
    // Assess: only Redis is read, so only photoUploaded can have changed the status.
    const deadline = Date.now() + 10_000;
    let stored = await storedPhoto(session.sessionId);
    while (stored?.status === "pending" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      stored = await storedPhoto(session.sessionId);
    }
    expect(stored).toMatchObject({ status: "ready" });
  });

  it("answers a browser's CORS preflight to the S3 upload URL", async () => {
    const session = await createSession();
    const grant = await requestUpload(session, { contentType: "image/png", contentLength: png.length });

    const preflight = await fetch(grant.body.upload.url, {
      method: "OPTIONS",
      headers: { Origin: ORIGIN, "Access-Control-Request-Method": "POST" },
      signal: AbortSignal.timeout(10_000),
    });

    expect(preflight.status).toBeGreaterThanOrEqual(200);
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get("access-control-allow-origin")).toMatch(/^(\*|http:\/\/localhost:5173)$/);
    expect(preflight.headers.get("access-control-allow-methods") ?? "").toContain("POST");
  });

  it("rejects a non-image declared as JPEG and never serves it", async () => {
    // Prepare
    const text = Buffer.from("this is a text file with a .jpg name, not a photo");
    const session = await createSession();
    const grant = await requestUpload(session, { contentType: "image/jpeg", contentLength: text.length });
    expect(grant.status).toBe(201);
    // Act
    const posted = await browserUpload(grant.body.upload, text, "image/jpeg");
    // Assess
    expect(posted.status).toBeLessThan(300);
    const photo = await settledPhoto(session);
    expect(photo).toMatchObject({ status: "rejected", reason: "type_mismatch", contentType: "image/jpeg" });
    expect(photo).not.toHaveProperty("url");
    // The rejected object is gone from the bucket.
    expect(await readStoredObject(grant.body.upload.url, grant.body.upload.fields.key ?? "")).toBeUndefined();
    const link = await api(stack.baseUrl, "GET", `/api/sessions/${session.sessionId}/photos/user`, { token: session.sessionToken });
    expect(link.status).toBe(404);
    expect(link.body).toMatchObject({ error: { code: "picture_not_ready" } });
  });

  it("rejects a real PNG stored as text/html, and serves every ready photo as its checked copy's type, inline", async () => {
    // Prepare: a form whose Content-Type field is not the policy's, which S3 (and the local stack) refuses...
    const session = await createSession();
    const grant = await requestUpload(session, { contentType: "image/png", contentLength: png.length });
    const key = grant.body.upload.fields.key ?? "";
    const fields = { ...grant.body.upload.fields, "Content-Type": "text/html" };
    expect((await browserUpload({ ...grant.body.upload, fields }, png, "text/html")).status).toBe(403);
    // ...and the photo check behind it, met by an object stored as text/html at the key past the form.
    // Act
    await storeObjectAsHarness(grant.body.upload.url, key, png, "text/html");
    // Assess
    const photo = await settledPhoto(session);
    expect(photo).toMatchObject({ status: "rejected", reason: "content_type_mismatch", contentType: "image/png" });
    expect(photo).not.toHaveProperty("url");
    expect(await readStoredObject(grant.body.upload.url, key)).toBeUndefined();

    // A proper upload: both of its URLs name the checked copy's type and the disposition, and S3 serves them so.
    const again = await requestUpload(session, { contentType: "image/png", contentLength: png.length });
    expect((await browserUpload(again.body.upload, png, "image/png")).status).toBeLessThan(300);
    const ready = await settledPhoto(session);
    const link = await api<Schemas["PictureLink"]>(stack.baseUrl, "GET", `/api/sessions/${session.sessionId}/photos/user`, {
      token: session.sessionToken,
    });
    for (const url of [ready?.url ?? "", link.body.url]) {
      expect(new URL(url).searchParams.get("response-content-type")).toBe("image/jpeg");
      expect(new URL(url).searchParams.get("response-content-disposition")).toBe("inline");
      const served = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      expect(served.status).toBe(200);
      expect(served.headers.get("content-type")).toBe("image/jpeg");
      expect(served.headers.get("content-disposition")).toBe("inline");
    }
  });

  it("refuses bad upload requests with a 4xx and leaves the photo unset", async () => {
    // Prepare
    const session = await createSession();
    const cases: Array<[string, unknown, number]> = [
      ["GIF", { contentType: "image/gif", contentLength: 100 }, 400],
      ["empty file", { contentType: "image/png", contentLength: 0 }, 400],
      ["over 10 MiB", { contentType: "image/png", contentLength: 10 * 1024 * 1024 + 1 }, 400],
      ["fractional size", { contentType: "image/png", contentLength: 10.5 }, 400],
      ["unknown field", { contentType: "image/png", contentLength: 100, key: "sessions/x/evil" }, 400],
      ["missing type", { contentLength: 100 }, 400],
    ];
    // Act + Assess
    for (const [name, json, status] of cases) {
      const response = await requestUpload(session, json);
      expect(response.status, name).toBe(status);
      expect(response.body.error?.code, name).toEqual(expect.any(String));
      expect(response.body, name).not.toHaveProperty("upload");
    }
    const noToken = await api(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/photos/user`, {
      json: { contentType: "image/png", contentLength: 100 },
    });
    expect(noToken.status).toBe(401);
    const wrongToken = await requestUpload(session, { contentType: "image/png", contentLength: 100 }, "x".repeat(43));
    expect(wrongToken.status).toBe(404);
    expect(await readPhoto(session)).toBeNull();
  });

  it("answers 404 for a picture that is not ready and for an unknown picture name", async () => {
    const session = await createSession();
    const photos = `/api/sessions/${session.sessionId}/photos`;

    const partner = await api(stack.baseUrl, "GET", `${photos}/partner`, { token: session.sessionToken });
    const user = await api(stack.baseUrl, "GET", `${photos}/user`, { token: session.sessionToken });
    const bogus = await api(stack.baseUrl, "GET", `${photos}/bogus`, { token: session.sessionToken });

    expect(partner.status).toBe(404);
    expect(partner.body).toMatchObject({ error: { code: "picture_not_ready" } });
    expect(user.status).toBe(404);
    expect(user.body).toMatchObject({ error: { code: "picture_not_ready" } });
    expect(bogus.status).toBe(404);
    expect(bogus.body).toMatchObject({ error: { code: expect.any(String) } });
    expect(bogus.body).not.toMatchObject({ error: { code: "picture_not_ready" } });
  });
});
