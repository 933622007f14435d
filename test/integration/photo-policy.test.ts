import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { integrationBucket, integrationObjects, integrationRedis } from "../helpers/integration.ts";
import { createS3Bucket } from "../../lib/clients/s3.ts";
import { S3UploadSigner } from "../../lib/storage/s3-upload-signer.ts";
import { normalisePhoto } from "../../lib/photos/decode.ts";
import { confirmPhoto, requestPhotoUpload, type PhotoCheckDeps, type PhotoUploadDeps } from "../../lib/photos/photos.ts";
import { RedisSessionStore } from "../../lib/sessions/redis-session-store.ts";
import { newSessionId } from "../../lib/sessions/tokens.ts";
import { objectKeys } from "../../lib/storage/objects.ts";
import { S3Signer } from "../../lib/clients/s3-signer.ts";
import { S3HttpObjects } from "../../lib/storage/s3-http-objects.ts";

const bucket = integrationBucket();
const objects = integrationObjects();
// What getSession and getPhoto check a late upload with: signed requests, no S3 client.
const checks = new S3HttpObjects(new S3Signer(bucket));
const uploads = new S3UploadSigner(createS3Bucket(bucket));

type PolicyCondition = Record<string, string> | Array<string | number>;
interface Policy {
  expiration: string;
  conditions: PolicyCondition[];
}

function decodePolicy(fields: Record<string, string>): Policy {
  const encoded = fields.Policy ?? fields.policy;
  if (!encoded) throw new Error(`no Policy field among ${Object.keys(fields).join(", ")}`);
  return JSON.parse(Buffer.from(encoded, "base64").toString("utf8")) as Policy;
}

/** Posts the form exactly as a browser does: every presigned field, then the file last. */
async function postForm(upload: { url: string; fields: Record<string, string> }, bytes: Buffer, contentType: string): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo");
  return fetch(upload.url, { method: "POST", body: form, signal: AbortSignal.timeout(10_000) });
}

let png: Buffer;

beforeAll(async () => {
  png = await sharp({ create: { width: 32, height: 24, channels: 3, background: { r: 200, g: 40, b: 90 } } })
    .png()
    .toBuffer();
});

describe("S3UploadSigner.presignUpload policy", () => {
  it("pins the exact key, the Content-Type, the exact size and an expiry of minutes", async () => {
    // Prepare
    const key = objectKeys.userPhoto(newSessionId(), "policy-test");
    const before = Date.now();
    // Act
    const upload = await uploads.presignUpload({ key, contentType: "image/webp", contentLength: 4321, expiresInSeconds: 300 });
    // Assess
    const policy = decodePolicy(upload.fields);
    expect(upload.url).toBe(`${bucket.endpoint}/${bucket.bucket}`);
    expect(upload.fields.key).toBe(key);
    expect(upload.fields["Content-Type"]).toBe("image/webp");
    expect(upload.fields).toHaveProperty("X-Amz-Signature");
    expect(upload.fields["X-Amz-Signature"]).toMatch(/^[0-9a-f]{64}$/);
    expect(upload.fields["X-Amz-Credential"]).toMatch(/^S3RVER\/\d{8}\/ap-northeast-1\/s3\/aws4_request$/);
    expect(upload.fields["X-Amz-Algorithm"]).toBe("AWS4-HMAC-SHA256");

    expect(policy.conditions).toContainEqual({ bucket: bucket.bucket });
    expect(policy.conditions).toContainEqual({ key });
    expect(policy.conditions).toContainEqual(["eq", "$Content-Type", "image/webp"]);
    expect(policy.conditions).toContainEqual(["content-length-range", 4321, 4321]);
    // Nothing may loosen those: no prefix match on the key or the type, no second size range.
    const loose = policy.conditions.filter((condition) => Array.isArray(condition) && condition[0] === "starts-with");
    expect(loose).toEqual([]);
    const ranges = policy.conditions.filter((condition) => Array.isArray(condition) && condition[0] === "content-length-range");
    expect(ranges).toHaveLength(1);
    // Every field the form sends (except the policy and signature themselves) is covered by a condition.
    const covered = new Set(
      policy.conditions.flatMap((condition) =>
        Array.isArray(condition) ? [String(condition[1]).replace(/^\$/, "")] : Object.keys(condition),
      ),
    );
    for (const name of Object.keys(upload.fields).filter((field) => !["Policy", "X-Amz-Signature"].includes(field))) {
      expect(covered.has(name), name).toBe(true);
    }

    const expiresAt = Date.parse(policy.expiration);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 299_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 301_000);
  });

  it("follows the TTL it is given (minutes, never hours)", async () => {
    const key = objectKeys.userPhoto(newSessionId(), "ttl-test");
    const before = Date.now();

    const upload = await uploads.presignUpload({ key, contentType: "image/png", contentLength: 1, expiresInSeconds: 60 });

    const expiresIn = Date.parse(decodePolicy(upload.fields).expiration) - before;
    expect(expiresIn).toBeGreaterThanOrEqual(59_000);
    expect(expiresIn).toBeLessThanOrEqual(61_000);
  });
});

describe("S3ObjectStore on s3rver", () => {
  it("accepts a browser form upload, then reads, finds, serves and deletes the object", async () => {
    // Prepare
    const key = objectKeys.userPhoto(newSessionId(), "form-upload");
    const upload = await uploads.presignUpload({ key, contentType: "image/png", contentLength: png.length, expiresInSeconds: 300 });
    // Act
    const posted = await postForm(upload, png, "image/png");
    // Assess
    expect(posted.status).toBeLessThan(300);
    expect(await objects.exists(key)).toBe(true);
    const storedAt = await objects.storedAt(key);
    // Last-Modified has whole seconds.
    expect(Math.abs((storedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(5000);
    const read = await objects.read(key, 10 * 1024 * 1024);
    expect(read?.size).toBe(png.length);
    expect(read?.contentType).toBe("image/png");
    expect(Buffer.compare(read?.bytes ?? Buffer.alloc(0), png)).toBe(0);

    const url = await objects.presignDownload(key, 600, { contentType: "image/png" });
    expect(url).toContain(encodeURI(key));
    expect(url).toContain("X-Amz-Signature=");
    const downloaded = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(downloaded.status).toBe(200);
    expect(downloaded.headers.get("content-type")).toBe("image/png");
    expect(Buffer.compare(Buffer.from(await downloaded.arrayBuffer()), png)).toBe(0);

    await objects.remove(key);
    expect(await objects.exists(key)).toBe(false);
    expect(await objects.storedAt(key)).toBeNull();
    expect(await objects.read(key, 100)).toBeNull();
    // Deleting what is already gone is not an error.
    await expect(objects.remove(key)).resolves.toBeUndefined();
  });

  it("signs GET URLs that serve the confirmed type inline, whatever type the object was stored with", async () => {
    // Prepare: an object stored as a web page.
    const key = objectKeys.userPhoto(newSessionId(), "served-type");
    await objects.write(key, png, "text/html");
    // Act
    const url = new URL(await objects.presignDownload(key, 600, { contentType: "image/png" }));
    // Assess: the override is in the URL's query, which SigV4 signs whole (s3rver does not check that), and S3 answers with it.
    expect(url.searchParams.get("response-content-type")).toBe("image/png");
    expect(url.searchParams.get("response-content-disposition")).toBe("inline");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    const served = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("content-disposition")).toBe("inline");
    await objects.remove(key);
  });

  it("reads at most maxBytes + 1 bytes but reports the real size", async () => {
    const key = objectKeys.userPhoto(newSessionId(), "ranged-read");
    await objects.write(key, png, "image/png");

    const read = await objects.read(key, 10);

    expect(read?.bytes.length).toBe(11);
    expect(read?.size).toBe(png.length);
    expect(Buffer.compare(read?.bytes ?? Buffer.alloc(0), png.subarray(0, 11))).toBe(0);
    await objects.remove(key);
  });

  it("removes every object under a prefix and nothing else", async () => {
    const sessionId = newSessionId();
    const other = newSessionId();
    const prefix = objectKeys.sessionPrefix(sessionId);
    await objects.write(objectKeys.userPhoto(sessionId, "a"), png, "image/png");
    await objects.write(objectKeys.image(sessionId, "partner"), png, "image/png");
    await objects.write(objectKeys.image(sessionId, "child"), png, "image/png");
    await objects.write(objectKeys.userPhoto(other, "a"), png, "image/png");

    const removed = await objects.removePrefix(prefix);

    expect(removed).toBe(3);
    expect(await objects.exists(objectKeys.image(sessionId, "partner"))).toBe(false);
    expect(await objects.exists(objectKeys.userPhoto(sessionId, "a"))).toBe(false);
    expect(await objects.exists(objectKeys.userPhoto(other, "a"))).toBe(true);
    expect(await objects.removePrefix(prefix)).toBe(0);
    await objects.removePrefix(objectKeys.sessionPrefix(other));
  });
});

describe("S3HttpObjects (signed requests, no S3 client) on s3rver", () => {
  it("finds, reads and deletes an object as the S3 client's store does", async () => {
    // Prepare
    const key = objectKeys.userPhoto(newSessionId(), "http-objects");
    await objects.write(key, png, "image/png");
    // Act
    const [storedAt, clientStoredAt, whole, ranged] = await Promise.all([
      checks.storedAt(key),
      objects.storedAt(key),
      checks.read(key, 10 * 1024 * 1024),
      checks.read(key, 10),
    ]);
    // Assess
    expect(storedAt?.getTime()).toBe(clientStoredAt?.getTime());
    expect(await checks.exists(key)).toBe(true);
    expect(whole).toEqual(await objects.read(key, 10 * 1024 * 1024));
    expect(whole?.contentType).toBe("image/png");
    expect(ranged?.bytes.length).toBe(11);
    expect(ranged?.size).toBe(png.length);
    await checks.remove(key);
    expect(await objects.exists(key)).toBe(false);
    expect(await checks.storedAt(key)).toBeNull();
    expect(await checks.read(key, 100)).toBeNull();
    await expect(checks.remove(key)).resolves.toBeUndefined();
  });

  it("reads an empty object as empty", async () => {
    const key = objectKeys.userPhoto(newSessionId(), "http-empty");
    await objects.write(key, Buffer.alloc(0), "image/png");

    const read = await checks.read(key, 100);

    expect(read).toMatchObject({ size: 0 });
    expect(read?.bytes.length).toBe(0);
    await objects.remove(key);
  });

  it("signs its requests: S3 refuses an unknown key, and that is an error, not a missing object", async () => {
    // s3rver checks a SigV4 request's access key, not its signature (the unit test holds the signing to the SDK's).
    const key = objectKeys.userPhoto(newSessionId(), "http-refused");
    await objects.write(key, png, "image/png");
    const wrong = new S3HttpObjects(new S3Signer({ ...bucket, credentials: { accessKeyId: "NOT-S3RVER", secretAccessKey: "S3RVER" } }));

    await expect(wrong.storedAt(key)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    await expect(wrong.read(key, 100)).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(await checks.exists(key)).toBe(true);
    await objects.remove(key);
  });

  it("answers 503 (DependencyUnavailableError) when S3 cannot be reached", async () => {
    const unreachable = new S3HttpObjects(new S3Signer({ ...bucket, endpoint: "http://127.0.0.1:9" }), { timeoutMs: 1000 });

    await expect(unreachable.storedAt("sessions/x")).rejects.toMatchObject({ status: 503, code: "dependency_unavailable" });
  });
});

describe("confirmPhoto on real S3 and Redis", () => {
  const redis = integrationRedis();
  const store = new RedisSessionStore(redis, { ttlSeconds: 600, keyPrefix: "hera:itest-photos" });
  const deps: PhotoUploadDeps & PhotoCheckDeps = {
    store,
    objects,
    uploads,
    maxPhotoBytes: 10 * 1024 * 1024,
    uploadTtlSeconds: 300,
    normalise: normalisePhoto,
  };

  async function uploadAs(bytes: Buffer, contentType: "image/png" | "image/jpeg", formContentType: string = contentType) {
    const id = newSessionId();
    expect(await store.create(id, { tokenHash: "h", status: "collecting", locale: "ja", profile: {}, photo: null }, [])).not.toBeNull();
    const session = await store.load(id);
    const grant = await requestPhotoUpload(deps, session!, { contentType, contentLength: bytes.length });
    // A form whose Content-Type field says otherwise than the policy: S3 refuses it, s3rver stores it as it says.
    const fields = { ...grant.upload.fields, "Content-Type": formContentType };
    const posted = await postForm({ ...grant.upload, fields }, bytes, formContentType);
    expect(posted.status).toBeLessThan(300);
    const key = grant.upload.fields.key ?? "";
    return { id, key };
  }

  it("rejects text declared as a PNG and deletes its object", async () => {
    // Prepare
    const { id, key } = await uploadAs(Buffer.from("this is plain text pretending to be a png"), "image/png");
    expect(await objects.exists(key)).toBe(true);
    // Act
    const photo = await confirmPhoto(deps, id, key);
    // Assess
    expect(photo).toMatchObject({ status: "rejected", reason: "type_mismatch" });
    expect((await store.load(id))?.photo).toMatchObject({ status: "rejected", reason: "type_mismatch", key });
    expect(await objects.exists(key)).toBe(false);
  });

  it("rejects a real PNG that was stored as text/html, and deletes its object", async () => {
    // Prepare
    const { id, key } = await uploadAs(png, "image/png", "text/html");
    expect((await objects.read(key, 100))?.contentType).toBe("text/html");
    // Act
    const photo = await confirmPhoto(deps, id, key);
    // Assess
    expect(photo).toMatchObject({ status: "rejected", reason: "content_type_mismatch" });
    expect((await store.load(id))?.photo).toMatchObject({ status: "rejected", reason: "content_type_mismatch", key });
    expect(await objects.exists(key)).toBe(false);
  });

  it("marks a real PNG ready with its checked JPEG copy, and deletes the upload", async () => {
    const { id, key } = await uploadAs(png, "image/png");

    const photo = await confirmPhoto(deps, id, key);

    expect(photo).toMatchObject({ status: "ready", contentType: "image/jpeg", upload: key, width: 32, height: 24 });
    expect((await store.load(id))?.photo).toEqual(photo);
    expect(await objects.exists(key)).toBe(false);
    const copy = await objects.read(photo!.key, 10 * 1024 * 1024);
    expect(copy).toMatchObject({ size: photo!.size, contentType: "image/jpeg" });
    expect((await sharp(copy!.bytes).metadata()).format).toBe("jpeg");
    await objects.removePrefix(objectKeys.sessionPrefix(id));
  });
});
