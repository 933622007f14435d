import { readyPictureKey } from "../../lib/sessions/urls.ts";
import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { ConflictError } from "../../lib/errors.ts";
import { normalisePhoto } from "../../lib/photos/decode.ts";
import { CHECKED_PHOTO_MAX_SIDE, sniffImageType } from "../../lib/photos/inspect.ts";
import type { PhotoContentType } from "../../lib/schemas/photos.ts";
import {
  confirmPhoto,
  PHOTO_CHECK_TIMEOUT_MS,
  requestPhotoUpload,
  settlePendingPhoto,
  type PhotoCheckDeps,
  type PhotoUploadDeps,
} from "../../lib/photos/photos.ts";
import type { PhotoState, Session } from "../../lib/sessions/model.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";
import { isCheckedPhotoKey, objectKeys, sessionIdOfPhotoKey } from "../../lib/storage/objects.ts";
import { MemoryObjectStore } from "../fakes/memory-object-store.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

const clock = () => new Date("2026-11-22T01:02:03.000Z");
const MAX_BYTES = 10 * 1024 * 1024;

/** A noisy image (so that it does not compress to almost nothing and a cut really loses pixel data). */
async function makeImage(format: "jpeg" | "png" | "webp", width = 64, height = 48): Promise<Buffer> {
  const pixels = Buffer.alloc(width * height * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7919 + (i >> 5) * 31) % 256;
  return sharp(pixels, { raw: { width, height, channels: 3 } })
    .toFormat(format)
    .toBuffer();
}

let jpeg: Buffer;
let png: Buffer;
let webp: Buffer;

beforeAll(async () => {
  [jpeg, png, webp] = await Promise.all([makeImage("jpeg"), makeImage("png"), makeImage("webp")]);
});

function setup(overrides: Partial<PhotoUploadDeps & PhotoCheckDeps> = {}) {
  const store = new MemorySessionStore(clock);
  const objects = new MemoryObjectStore(undefined, clock);
  const deps: PhotoUploadDeps & PhotoCheckDeps = {
    store,
    objects,
    uploads: objects,
    maxPhotoBytes: MAX_BYTES,
    uploadTtlSeconds: 300,
    normalise: normalisePhoto,
    now: clock,
    ...overrides,
  };
  return { store, objects, deps };
}

async function newSession(
  store: MemorySessionStore,
  photo: PhotoState | null = null,
  status: Session["status"] = "collecting",
): Promise<Session> {
  const id = newSessionId();
  await store.create(id, { tokenHash: "h", status, locale: "ja", profile: {}, photo }, []);
  const session = await store.load(id);
  if (!session) throw new Error("the fake store lost a session");
  return session;
}

function pendingPhoto(sessionId: string, contentType: PhotoContentType, size: number, upload = "upload-1"): PhotoState {
  return { status: "pending", contentType, key: objectKeys.userPhoto(sessionId, upload), size, requestedAt: "2026-11-22T01:00:00.000Z" };
}

describe("sniffImageType", () => {
  it("names JPEG, PNG and WebP by their magic bytes", () => {
    expect(sniffImageType(jpeg)).toBe("image/jpeg");
    expect(sniffImageType(png)).toBe("image/png");
    expect(sniffImageType(webp)).toBe("image/webp");
    // Only the header counts: the same first bytes followed by anything are still sniffed the same.
    expect(sniffImageType(Buffer.from([0xff, 0xd8, 0xff]))).toBe("image/jpeg");
    expect(sniffImageType(png.subarray(0, 8))).toBe("image/png");
  });

  it("returns null for anything that is not one of the three", () => {
    const cases: Array<[string, Uint8Array]> = [
      ["empty", Buffer.alloc(0)],
      ["text", Buffer.from("hello, this is not an image at all")],
      ["GIF", Buffer.from("GIF89a\x01\x00\x01\x00", "latin1")],
      ["RIFF but WAVE", Buffer.from("RIFF\x24\x00\x00\x00WAVEfmt ", "latin1")],
      ["PNG cut inside its signature", png.subarray(0, 7)],
      ["JPEG cut inside its signature", jpeg.subarray(0, 2)],
      ["PDF", Buffer.from("%PDF-1.7\n")],
    ];
    for (const [name, bytes] of cases) expect(sniffImageType(bytes), name).toBeNull();
  });
});

describe("normalisePhoto (the check's full decode, and the copy that is kept)", () => {
  it("accepts a real image of each type and makes a JPEG of the same pixels' size", async () => {
    for (const [bytes, type] of [
      [jpeg, "image/jpeg"],
      [png, "image/png"],
      [webp, "image/webp"],
    ] as const) {
      const verdict = await normalisePhoto(bytes, type);
      expect(verdict, type).toMatchObject({ ok: true, width: 64, height: 48 });
      if (!verdict.ok) continue;
      expect(await sharp(verdict.bytes).metadata(), type).toMatchObject({ format: "jpeg", width: 64, height: 48 });
    }
  });

  it("accepts the other encodings a phone or browser makes: progressive JPEG, lossless WebP, bytes after the JPEG's end", async () => {
    const pixels = await sharp(png).raw().toBuffer();
    const raw = { raw: { width: 64, height: 48, channels: 3 as const } };
    const progressive = await sharp(pixels, raw).jpeg({ progressive: true }).toBuffer();
    const lossless = await sharp(pixels, raw).webp({ lossless: true }).toBuffer();
    await expect(normalisePhoto(progressive, "image/jpeg")).resolves.toMatchObject({ ok: true });
    await expect(normalisePhoto(lossless, "image/webp")).resolves.toMatchObject({ ok: true });
    await expect(normalisePhoto(Buffer.concat([jpeg, Buffer.alloc(64)]), "image/jpeg")).resolves.toMatchObject({ ok: true });
  });

  it("keeps no metadata, turns the picture upright, and converts its colours to sRGB", async () => {
    // Prepare: GPS and a camera in EXIF, XMP, a Display P3 profile, stored sideways (orientation 6).
    const located = await sharp({ create: { width: 80, height: 40, channels: 3, background: "#c33" } })
      .jpeg()
      .withIccProfile("p3")
      .withExif({ IFD0: { Make: "HeraCam" }, IFD3: { GPSLatitudeRef: "N", GPSLatitude: "35/1 39/1 29/1" } })
      .withXmp('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></x:xmpmeta>')
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect(await sharp(located).metadata()).toMatchObject({ orientation: 6, exif: expect.any(Buffer), icc: expect.any(Buffer) });
    // Act
    const verdict = await normalisePhoto(located, "image/jpeg");
    // Assess
    expect(verdict).toMatchObject({ ok: true, width: 40, height: 80 });
    if (!verdict.ok) return;
    const kept = await sharp(verdict.bytes).metadata();
    expect(kept).toMatchObject({ format: "jpeg", width: 40, height: 80, space: "srgb" });
    for (const field of ["orientation", "exif", "icc", "xmp", "iptc", "comments"] as const) expect(kept[field], field).toBeUndefined();
    expect(verdict.bytes.includes("HeraCam")).toBe(false);
  });

  it("flattens transparency onto white and scales a large photo down to the longest side it keeps", async () => {
    const wide = await sharp({ create: { width: 3000, height: 1000, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } })
      .png()
      .toBuffer();
    const verdict = await normalisePhoto(wide, "image/png");
    expect(verdict).toMatchObject({ ok: true, width: CHECKED_PHOTO_MAX_SIDE, height: CHECKED_PHOTO_MAX_SIDE / 3 });
    if (!verdict.ok) return;
    const { data } = await sharp(verdict.bytes).raw().toBuffer({ resolveWithObject: true });
    expect(data[0]).toBeGreaterThan(250);
  });

  it("makes the same copy of the same upload", async () => {
    const [first, second] = await Promise.all([normalisePhoto(webp, "image/webp"), normalisePhoto(webp, "image/webp")]);
    expect(first.ok && second.ok && Buffer.compare(first.bytes, second.bytes)).toBe(0);
  });

  it("rejects a PNG declared as JPEG, and a JPEG declared as WebP", async () => {
    await expect(normalisePhoto(png, "image/jpeg")).resolves.toEqual({ ok: false, reason: "type_mismatch" });
    await expect(normalisePhoto(jpeg, "image/webp")).resolves.toEqual({ ok: false, reason: "type_mismatch" });
  });

  it("rejects an image with valid magic bytes that does not decode", async () => {
    const altered = Buffer.from(png);
    const idat = altered.indexOf("IDAT", 8, "latin1");
    altered[idat + 20] = altered[idat + 20]! ^ 0xff;
    for (const [name, bytes, type] of [
      ["truncated JPEG", jpeg.subarray(0, Math.floor(jpeg.length / 2)), "image/jpeg"],
      ["truncated PNG", png.subarray(0, Math.floor(png.length / 2)), "image/png"],
      ["PNG signature then garbage", Buffer.concat([png.subarray(0, 8), Buffer.from("x".repeat(200))]), "image/png"],
      ["WebP header then garbage", Buffer.concat([webp.subarray(0, 12), Buffer.alloc(200, 0x41)]), "image/webp"],
      ["truncated WebP", webp.subarray(0, webp.length - 40), "image/webp"],
      ["PNG whose pixel data was altered in transit", altered, "image/png"],
    ] as const) {
      expect(sniffImageType(bytes), name).toBe(type);
      await expect(normalisePhoto(bytes, type), name).resolves.toEqual({ ok: false, reason: "not_decodable" });
    }
  });

  it("says too_many_pixels, from the header alone, for a photo past 64 million pixels", async () => {
    // A PNG header that claims 9000 × 9000: the verdict comes before any pixel would be decoded.
    const small = await sharp({ create: { width: 1, height: 1, channels: 3, background: "#fff" } })
      .png()
      .toBuffer();
    const huge = Buffer.from(small);
    huge.writeUInt32BE(9000, 16);
    huge.writeUInt32BE(9000, 20);
    const { crc32 } = await import("node:zlib");
    huge.writeUInt32BE(crc32(huge.subarray(12, 29)), 29);
    await expect(normalisePhoto(huge, "image/png")).resolves.toEqual({ ok: false, reason: "too_many_pixels" });
  });

  it("rejects empty bytes", async () => {
    await expect(normalisePhoto(Buffer.alloc(0), "image/png")).resolves.toEqual({ ok: false, reason: "empty" });
  });
});

describe("requestPhotoUpload", () => {
  it("makes the object key on the server under the session's prefix, whatever the client sends", async () => {
    // Prepare
    const { store, objects, deps } = setup();
    const session = await newSession(store);
    const hostile = {
      contentType: "image/png" as const,
      contentLength: 1234,
      key: "../../other-session/evil",
      sessionId: "AAAAAAAAAAAAAAAAAAAAAA",
    };
    // Act
    await requestPhotoUpload(deps, session, hostile);
    await requestPhotoUpload(deps, session, hostile);
    // Assess
    const [first, second] = objects.presignedUploads.map((call) => call.key);
    for (const key of [first, second]) {
      expect(key).toMatch(new RegExp(`^sessions/${session.id}/uploads/[A-Za-z0-9_-]{16}/user-photo$`));
      expect(sessionIdOfPhotoKey(key ?? "")).toBe(session.id);
      expect(key).not.toContain("evil");
    }
    expect(first).not.toBe(second);
  });

  it("passes the declared type, size and TTL to the presigner and marks the photo pending", async () => {
    const { store, objects, deps } = setup({ uploadTtlSeconds: 120 });
    const session = await newSession(store);

    const grant = await requestPhotoUpload(deps, session, { contentType: "image/webp", contentLength: 4321 });

    expect(objects.presignedUploads).toHaveLength(1);
    const call = objects.presignedUploads[0];
    expect(call).toEqual({ key: expect.any(String), contentType: "image/webp", contentLength: 4321, expiresInSeconds: 120 });
    expect(grant).toEqual({
      upload: {
        method: "POST",
        url: "http://objects.test/bucket",
        fields: expect.objectContaining({ key: call?.key }),
        expiresAt: "2026-11-22T01:04:03.000Z",
      },
      photo: { status: "pending" },
    });
    const stored = await store.load(session.id);
    expect(stored?.photo).toEqual({
      status: "pending",
      contentType: "image/webp",
      key: call?.key,
      size: 4321,
      requestedAt: "2026-11-22T01:02:03.000Z",
    });
  });

  it("refuses a completed session with 409 and changes nothing", async () => {
    const { store, objects, deps } = setup();
    const session = await newSession(store, null, "completed");
    const writes = store.writes;

    const error = await requestPhotoUpload(deps, session, { contentType: "image/png", contentLength: 10 }).catch(
      (caught: unknown) => caught,
    );

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: "session_completed" });
    expect(objects.presignedUploads).toHaveLength(0);
    expect(store.writes).toBe(writes);
    expect((await store.load(session.id))?.photo).toBeNull();
  });

  it("refuses with 409 a session completed after it was read, and keeps the photo its result links to", async () => {
    // Prepare: a ready photo; the caller read the session, then a completion landed.
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const ready: PhotoState = { ...pendingPhoto(id, "image/jpeg", jpeg.length), key: objectKeys.checkedPhoto(id, "copy"), status: "ready" };
    await store.create(id, { tokenHash: "h", status: "collecting", profile: {}, photo: ready }, []);
    objects.put(ready.key, jpeg, "image/jpeg");
    const read = (await store.load(id))!;
    await store.save(id, { set: { status: "completed", completedAt: "2026-11-22T01:02:03.000Z" } });
    // Act
    const error = await requestPhotoUpload(deps, read, { contentType: "image/png", contentLength: 10 }).catch((caught: unknown) => caught);
    // Assess
    expect(error).toMatchObject({ status: 409, code: "session_completed" });
    expect((await store.load(id))?.photo).toEqual(ready);
    expect(objects.objects.has(ready.key)).toBe(true);
    expect(objects.removed).toEqual([]);
  });

  it("deletes the previous photo's object when a new upload replaces it", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const previous: PhotoState = { ...pendingPhoto(id, "image/png", png.length, "old-upload"), status: "ready" };
    await store.create(id, { tokenHash: "h", status: "collecting", profile: {}, photo: previous }, []);
    objects.put(previous.key, png, "image/png");
    const session = await store.load(id);

    await requestPhotoUpload(deps, session!, { contentType: "image/jpeg", contentLength: jpeg.length });

    expect(objects.objects.has(previous.key)).toBe(false);
    expect(objects.removed).toEqual([previous.key]);
    const stored = await store.load(id);
    expect(stored?.photo).toMatchObject({ status: "pending", contentType: "image/jpeg" });
    expect(stored?.photo?.key).not.toBe(previous.key);
  });
});

describe("confirmPhoto", () => {
  it("marks a valid upload ready with its checked copy under a key of its own, and deletes the upload", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/png", png.length);
    await store.create(id, { tokenHash: "h", photo }, []);
    objects.put(photo.key, png, "image/png");

    const result = await confirmPhoto(deps, id, photo.key);

    expect(result).toEqual({
      status: "ready",
      contentType: "image/jpeg",
      key: expect.stringMatching(new RegExp(`^sessions/${id}/photo/[A-Za-z0-9_-]{16}\\.jpg$`)),
      upload: photo.key,
      size: expect.any(Number),
      width: 64,
      height: 48,
      requestedAt: photo.requestedAt,
      checkedAt: "2026-11-22T01:02:03.000Z",
    });
    expect(isCheckedPhotoKey(result!.key)).toBe(true);
    expect((await store.load(id))?.photo).toEqual(result);
    const copy = objects.objects.get(result!.key);
    expect(copy?.contentType).toBe("image/jpeg");
    expect(copy?.bytes.length).toBe(result!.size);
    expect(objects.objects.has(photo.key)).toBe(false);
    expect(objects.removed).toEqual([photo.key]);
  });

  it("never reads what a form posts again once its upload was checked: the copy stays, the new bytes go", async () => {
    for (const [name, status] of [
      ["after ready", "collecting"],
      ["after completion", "completed"],
    ] as const) {
      // Prepare: a checked photo, then other bytes at the same upload key (the same form posted again).
      const { store, objects, deps } = setup();
      const id = newSessionId();
      const photo = pendingPhoto(id, "image/png", png.length);
      await store.create(id, { tokenHash: "h", photo }, []);
      objects.put(photo.key, png, "image/png");
      const ready = await confirmPhoto(deps, id, photo.key);
      if (status === "completed") await store.save(id, { set: { status } });
      const copy = Buffer.from(objects.objects.get(ready!.key)!.bytes);
      const session = await store.load(id);
      objects.put(photo.key, Buffer.from("<html><script>alert(1)</script></html>"), "image/png");
      let decoded = 0;
      const counting = {
        ...deps,
        normalise: async (...args: Parameters<typeof normalisePhoto>) => {
          decoded++;
          return normalisePhoto(...args);
        },
      };
      // Act
      const again = await confirmPhoto(counting, id, photo.key);
      // Assess
      expect(again, name).toEqual(ready);
      expect(decoded, name).toBe(0);
      expect(await store.load(id), name).toEqual(session);
      expect(objects.objects.has(photo.key), name).toBe(false);
      expect(Buffer.compare(objects.objects.get(ready!.key)!.bytes, copy), name).toBe(0);
    }
  });

  it("deletes, once checked, what the grant of its upload could not delete of the photo it replaced", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const old = objectKeys.checkedPhoto(id, "old");
    const photo: PhotoState = { ...pendingPhoto(id, "image/png", png.length), discard: [old] };
    await store.create(id, { tokenHash: "h", photo }, []);
    objects.put(old, jpeg, "image/jpeg");
    objects.put(photo.key, png, "image/png");

    const ready = await confirmPhoto(deps, id, photo.key);

    expect(ready).toMatchObject({ status: "ready" });
    expect(ready).not.toHaveProperty("discard");
    expect(objects.objects.has(old)).toBe(false);
  });

  it("does not take an upload for a completed session, even one still pending", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/png", png.length);
    await store.create(id, { tokenHash: "h", status: "completed", photo }, []);
    objects.put(photo.key, png, "image/png");
    const writes = store.writes;

    await confirmPhoto(deps, id, photo.key);

    expect(store.writes).toBe(writes);
    expect(objects.objects.has(photo.key)).toBe(false);
    expect([...objects.objects.keys()]).toEqual([]);
  });

  it("rejects and deletes an upload that does not match what was declared", async () => {
    const cases: Array<{
      name: string;
      declared: PhotoContentType;
      declaredSize: number;
      bytes: () => Buffer;
      max?: number;
      reason: string;
    }> = [
      { name: "PNG declared as JPEG", declared: "image/jpeg", declaredSize: png.length, bytes: () => png, reason: "type_mismatch" },
      {
        name: "text declared as JPEG",
        declared: "image/jpeg",
        declaredSize: 26,
        bytes: () => Buffer.from("definitely not a JPEG file"),
        reason: "type_mismatch",
      },
      {
        name: "size differs from the declared one",
        declared: "image/png",
        declaredSize: png.length + 1,
        bytes: () => png,
        reason: "size_mismatch",
      },
      { name: "larger than the limit", declared: "image/png", declaredSize: png.length, bytes: () => png, max: 100, reason: "too_large" },
      { name: "truncated JPEG", declared: "image/jpeg", declaredSize: 600, bytes: () => jpeg.subarray(0, 600), reason: "not_decodable" },
      { name: "empty object", declared: "image/png", declaredSize: 1, bytes: () => Buffer.alloc(0), reason: "empty" },
    ];
    for (const testCase of cases) {
      // Prepare
      const { store, objects, deps } = setup(testCase.max === undefined ? {} : { maxPhotoBytes: testCase.max });
      const id = newSessionId();
      const photo = pendingPhoto(id, testCase.declared, testCase.declaredSize);
      await store.create(id, { tokenHash: "h", photo }, []);
      const bytes = testCase.bytes();
      objects.put(photo.key, bytes, testCase.declared);
      // Act
      const result = await confirmPhoto(deps, id, photo.key);
      // Assess
      expect(result, testCase.name).toMatchObject({ status: "rejected", reason: testCase.reason, size: bytes.length, key: photo.key });
      expect((await store.load(id))?.photo, testCase.name).toMatchObject({ status: "rejected", reason: testCase.reason });
      expect(objects.objects.has(photo.key), testCase.name).toBe(false);
      expect(objects.removed, testCase.name).toEqual([photo.key]);
    }
  });

  it("rejects and deletes an image whose stored Content-Type is not the declared one", async () => {
    for (const stored of ["text/html", "image/jpeg", "image/svg+xml", "application/octet-stream", null]) {
      // Prepare: a real PNG, declared as one, but stored with another type (as a form field can say on an emulator).
      const { store, objects, deps } = setup();
      const id = newSessionId();
      const photo = pendingPhoto(id, "image/png", png.length);
      await store.create(id, { tokenHash: "h", photo }, []);
      objects.put(photo.key, png, stored);
      // Act
      const result = await confirmPhoto(deps, id, photo.key);
      // Assess
      expect(result, String(stored)).toMatchObject({ status: "rejected", reason: "content_type_mismatch", key: photo.key });
      expect(objects.objects.has(photo.key), String(stored)).toBe(false);
    }
  });

  it("takes the stored Content-Type as its media type, whatever its case and parameters", async () => {
    for (const stored of ["image/png", "IMAGE/PNG", "image/png; q=1"]) {
      const { store, objects, deps } = setup();
      const id = newSessionId();
      const photo = pendingPhoto(id, "image/png", png.length);
      await store.create(id, { tokenHash: "h", photo }, []);
      objects.put(photo.key, png, stored);
      expect(await confirmPhoto(deps, id, photo.key), stored).toMatchObject({ status: "ready" });
    }
  });

  it("is idempotent: a second confirmation changes nothing and keeps the copy", async () => {
    for (const [bytes, status] of [
      [() => png, "ready"],
      [() => Buffer.from("not a png at all"), "rejected"],
    ] as const) {
      const { store, objects, deps } = setup();
      const id = newSessionId();
      const photo = pendingPhoto(id, "image/png", bytes().length);
      await store.create(id, { tokenHash: "h", photo }, []);
      objects.put(photo.key, bytes(), "image/png");
      const first = await confirmPhoto(deps, id, photo.key);
      const afterFirst = await store.load(id);
      const keptAfterFirst = [...objects.objects.keys()];

      const second = await confirmPhoto(deps, id, photo.key);

      expect(first?.status).toBe(status);
      expect(second).toEqual(first);
      expect(await store.load(id)).toEqual(afterFirst);
      expect([...objects.objects.keys()]).toEqual(keptAfterFirst);
    }
  });

  it("leaves a pending photo alone while its object is not there yet", async () => {
    const { store, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/png", png.length);
    await store.create(id, { tokenHash: "h", photo }, []);
    const writes = store.writes;

    await expect(confirmPhoto(deps, id, photo.key)).resolves.toEqual(photo);

    expect(store.writes).toBe(writes);
  });

  it("deletes an upload nobody awaits: a stale upload replaced by a newer one, or an unknown session", async () => {
    // Prepare
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const current = pendingPhoto(id, "image/png", png.length, "new-upload");
    await store.create(id, { tokenHash: "h", photo: current }, []);
    const stale = objectKeys.userPhoto(id, "old-upload");
    objects.put(stale, png, "image/png");
    objects.put(current.key, png, "image/png");
    const orphan = objectKeys.userPhoto(newSessionId(), "any");
    objects.put(orphan, png, "image/png");
    const writes = store.writes;
    // Act
    const staleResult = await confirmPhoto(deps, id, stale);
    const orphanResult = await confirmPhoto(deps, newSessionId(), orphan);
    // Assess
    expect(staleResult).toBeNull();
    expect(orphanResult).toBeNull();
    expect(objects.objects.has(stale)).toBe(false);
    expect(objects.objects.has(orphan)).toBe(false);
    expect(objects.objects.has(current.key)).toBe(true);
    expect(store.writes).toBe(writes);
    expect((await store.load(id))?.photo).toEqual(current);
  });

  it("still applies its verdict when a concurrent write bumped the version in between", async () => {
    // Prepare: the inspection runs between confirmPhoto's load and its save, so a write made there is a true race.
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/png", png.length);
    await store.create(id, { tokenHash: "h", photo, userMessageCount: 0 }, []);
    objects.put(photo.key, png, "image/png");
    const versionBefore = (await store.load(id))!.version;
    let raced = false;
    deps.normalise = async (bytes, declared) => {
      if (!raced) {
        raced = true;
        const saved = await store.save(id, { set: { userMessageCount: 3 }, append: [{ role: "user", text: "hi", at: "t" }] });
        expect(saved.outcome).toBe("saved");
      }
      return normalisePhoto(bytes, declared);
    };
    // Act
    const result = await confirmPhoto(deps, id, photo.key);
    // Assess
    expect(raced).toBe(true);
    expect(result).toMatchObject({ status: "ready", upload: photo.key });
    const stored = await store.load(id);
    expect(stored?.photo).toMatchObject({ status: "ready", key: result?.key });
    expect(stored?.userMessageCount).toBe(3);
    expect(stored?.messages.map((message) => message.text)).toEqual(["hi"]);
    expect(stored?.version).toBe(versionBefore + 2);
  });

  it("drops its verdict when a concurrent write replaced the upload in between", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/png", png.length, "first");
    const replacement = pendingPhoto(id, "image/jpeg", jpeg.length, "second");
    await store.create(id, { tokenHash: "h", photo }, []);
    objects.put(photo.key, png, "image/png");
    deps.normalise = async (bytes, declared) => {
      await store.save(id, { set: { photo: replacement } });
      return normalisePhoto(bytes, declared);
    };

    const result = await confirmPhoto(deps, id, photo.key);

    expect(result).toBeNull();
    expect((await store.load(id))?.photo).toEqual(replacement);
    // Neither its copy nor the upload it checked is left behind.
    expect([...objects.objects.keys()]).toEqual([]);
  });
});

describe("settlePendingPhoto (on a read, without a decoder)", () => {
  const longAgo = new Date(clock().getTime() - PHOTO_CHECK_TIMEOUT_MS - 1000);

  it("leaves an upload to its check, and gives up on it as not_checked once the check is long overdue", async () => {
    // Prepare: the object was stored a moment ago
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo = pendingPhoto(id, "image/jpeg", jpeg.length);
    await store.create(id, { tokenHash: "h", photo }, []);
    const session = (await store.load(id))!;
    objects.put(photo.key, jpeg, "image/jpeg", new Date(clock().getTime() - 1000));
    const writes = store.writes;
    // Act
    const fresh = await settlePendingPhoto(deps, session);
    // Assess: nothing read or written
    expect(fresh).toBe(session);
    expect(store.writes).toBe(writes);
    expect(objects.objects.has(photo.key)).toBe(true);
    // Act: later, no check has settled it
    const late = await settlePendingPhoto({ ...deps, now: () => new Date(clock().getTime() + PHOTO_CHECK_TIMEOUT_MS) }, session);
    // Assess: rejected and never served; the read (whose role may not delete) leaves the bytes to the next grant, a late
    // check or the bucket's lifecycle, and the rejected photo names them for the next grant to delete
    expect(late.photo).toMatchObject({ status: "rejected", reason: "not_checked", upload: photo.key });
    expect((await store.load(id))?.photo).toMatchObject({ status: "rejected", reason: "not_checked" });
    expect(readyPictureKey(late, "user")).toBeNull();
  });

  it("leaves a pending photo whose upload has not arrived", async () => {
    const { store, deps } = setup();
    const id = newSessionId();
    await store.create(id, { tokenHash: "h", photo: pendingPhoto(id, "image/png", png.length) }, []);
    const session = (await store.load(id))!;
    const writes = store.writes;

    expect(await settlePendingPhoto(deps, session)).toBe(session);
    expect(store.writes).toBe(writes);
  });

  it("leaves a photo that is not pending untouched", async () => {
    const { store, objects, deps } = setup();
    const id = newSessionId();
    const photo: PhotoState = { ...pendingPhoto(id, "image/png", 5), status: "rejected", reason: "type_mismatch" };
    await store.create(id, { tokenHash: "h", photo }, []);
    objects.put(photo.key, png, "image/png", longAgo);
    const session = (await store.load(id))!;
    const writes = store.writes;

    const settled = await settlePendingPhoto(deps, session);

    expect(settled).toBe(session);
    expect(store.writes).toBe(writes);
    expect(objects.objects.has(photo.key)).toBe(true);
  });
});
