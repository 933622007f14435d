import { readStoredObject } from "../helpers/harness-s3.ts";
import { randomBytes } from "node:crypto";
import sharp from "sharp";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Schemas } from "../../client/index.ts";
import { api, heraClient } from "../helpers/api.ts";
import {
  asOwner,
  completeInterviewOverHttp,
  openSessionOverHttp,
  pollSession,
  postPresignedForm,
  type OpenedSession,
} from "../helpers/flows.ts";

// A user's photo tried as a hostile user would: the form posted again after the photo is ready (and after completion),
// and a photo that carries where it was taken. Only the checked, normalised copy is ever served or archived.

const stack = inject("stack");
const client = heraClient(stack.baseUrl);

type Grant = Schemas["PhotoUploadGrant"];

let png: Buffer;
let located: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#2a7" } })
    .png()
    .toBuffer();
  // A phone photo: GPS coordinates and a camera in EXIF, a Display P3 ICC profile, stored sideways (orientation 6).
  located = await sharp({ create: { width: 64, height: 32, channels: 3, background: "#c33" } })
    .jpeg()
    .withIccProfile("p3")
    .withExif({
      IFD0: { Make: "HeraCam", Model: "Phone 9" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "35/1 39/1 29/1", GPSLongitudeRef: "E", GPSLongitude: "139/1 42/1 1/1" },
    })
    .withMetadata({ orientation: 6 })
    .toBuffer();
});

async function grantUpload(session: OpenedSession, contentType: "image/png" | "image/jpeg", size: number) {
  const grant = await api<Grant & { error?: { code: string } }>(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/photos/user`, {
    json: { contentType, contentLength: size },
    token: session.sessionToken,
  });
  return grant;
}

async function download(url: string): Promise<Buffer> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function servedPhoto(session: OpenedSession): Promise<Buffer> {
  const link = await client.GET("/api/sessions/{sessionId}/photos/{name}", {
    ...asOwner(session),
    params: { path: { sessionId: session.sessionId, name: "user" } },
  });
  expect(link.response.status).toBe(200);
  return download(link.data!.url);
}

/** Waits (at most 10 s) until nothing is left at the form's key (404 then): the replayed object was seen and removed. */
async function waitUntilGone(upload: Grant["upload"]): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    // Read as the harness: an unsigned read of the private bucket is refused, as in S3.
    const left = await readStoredObject(upload.url, upload.fields.key ?? "");
    if (left === undefined) return 404;
    if (Date.now() > deadline) return 200;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("only the checked photo is used", () => {
  it("ignores and removes the same form posted again after ready and after completion", async () => {
    // Prepare: a finished interview and a ready photo.
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    await completeInterviewOverHttp(stack.baseUrl, session, "en");
    const grant = await grantUpload(session, "image/png", png.length);
    expect(grant.status).toBe(201);
    expect((await postPresignedForm(grant.body.upload, png, "image/png")).status).toBeLessThan(300);
    await pollSession(stack.baseUrl, session, (view) => view.photo?.status === "ready", "photo ready");
    const served = await servedPhoto(session);

    // Act: the same fields again, other bytes of the same length (random, then an HTML page).
    const replay = randomBytes(png.length);
    expect((await postPresignedForm(grant.body.upload, replay, "image/png")).status).toBeLessThan(300);

    // Assess: the raw object is removed, the served photo is still the checked one.
    expect(await waitUntilGone(grant.body.upload)).toBe(404);
    expect(Buffer.compare(await servedPhoto(session), served)).toBe(0);
    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data!.photo).toMatchObject({ status: "ready" });

    // The same after completion: the archive keeps linking to the checked copy.
    const completed = await client.POST("/api/sessions/{sessionId}/complete", asOwner(session));
    expect(completed.response.status).toBe(200);
    const html = Buffer.alloc(png.length, " ");
    html.write("<!doctype html><script>alert(1)</script>");
    expect((await postPresignedForm(grant.body.upload, html, "image/png")).status).toBeLessThan(300);
    expect(await waitUntilGone(grant.body.upload)).toBe(404);
    const result = await client.GET("/api/sessions/{sessionId}/result", asOwner(session));
    expect(Buffer.compare(await download(result.data!.result.photo!.url), served)).toBe(0);
    expect(Buffer.compare(await servedPhoto(session), served)).toBe(0);
  });

  it("serves a located, sideways JPEG upright and without any metadata", async () => {
    // Prepare
    const before = await sharp(located).metadata();
    expect(before).toMatchObject({ width: 64, height: 32, orientation: 6 });
    expect(before.exif).toBeDefined();
    expect(before.icc).toBeDefined();
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const grant = await grantUpload(session, "image/jpeg", located.length);
    // Act
    expect((await postPresignedForm(grant.body.upload, located, "image/jpeg")).status).toBeLessThan(300);
    const view = await pollSession(stack.baseUrl, session, (current) => current.photo?.status !== "pending", "photo checked");
    // Assess
    expect(view.photo).toMatchObject({ status: "ready", contentType: "image/jpeg" });
    for (const bytes of [await download(view.photo!.url!), await servedPhoto(session)]) {
      const served = await sharp(bytes).metadata();
      expect(served).toMatchObject({ format: "jpeg", width: 32, height: 64 });
      expect(served.orientation).toBeUndefined();
      expect(served.exif).toBeUndefined();
      expect(served.icc).toBeUndefined();
      expect(served.xmp).toBeUndefined();
      expect(served.iptc).toBeUndefined();
      expect(served.comments).toBeUndefined();
      expect(bytes.includes("HeraCam")).toBe(false);
    }
    // Nothing is left at the upload's key: the raw bytes, GPS and all, are gone.
    expect(await waitUntilGone(grant.body.upload)).toBe(404);
  });
});
