import { createS3Bucket } from "../clients/s3.ts";
import { normalisePhoto } from "../photos/decode.ts";
import type { PhotoCheckDeps, PhotoDeps, PhotoUploadDeps } from "../photos/photos.ts";
import type { UploadSigner } from "../storage/objects.ts";
import { S3ObjectStore } from "../storage/s3-object-store.ts";
import { S3UploadSigner } from "../storage/s3-upload-signer.ts";
import { getConfig } from "./config.ts";
import { sessionStore } from "./sessions.ts";

let objects: S3ObjectStore | undefined;
let uploads: UploadSigner | undefined;

/**
 * The process-wide object store on the photo bucket. Server-side calls go to S3_ENDPOINT; the GET URLs handed to
 * browsers name S3_PUBLIC_ENDPOINT (locally another host than the functions reach).
 */
export function objectStore(signal?: AbortSignal): S3ObjectStore {
  const config = getConfig();
  if (!objects) {
    const timeoutMs = config.DEPENDENCY_TIMEOUT_MS;
    const at = (endpoint: string | undefined) =>
      createS3Bucket({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint, requestTimeoutMs: timeoutMs });
    const server = at(config.S3_ENDPOINT);
    const browser = !config.S3_PUBLIC_ENDPOINT || config.S3_PUBLIC_ENDPOINT === config.S3_ENDPOINT ? server : at(config.S3_PUBLIC_ENDPOINT);
    objects = new S3ObjectStore(server, browser, { timeoutMs });
  }
  return objects.forRequest(signal);
}

/** The process-wide signer of photo upload forms, for the bucket URL a browser reaches. */
function photoUploadSigner(): UploadSigner {
  const config = getConfig();
  uploads ??= new S3UploadSigner(
    createS3Bucket({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint: config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT }),
  );
  return uploads;
}

/** What the photo domain needs, from the real clients and the configured limits; `signal` is the request's. */
export function photoDeps(signal?: AbortSignal): PhotoDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectStore(signal),
    maxPhotoBytes: config.MAX_PHOTO_BYTES,
    uploadTtlSeconds: config.PHOTO_UPLOAD_TTL_SECONDS,
  };
}

/** What the S3 event's check of an upload needs: a full decode and the copy, with sharp (photoUploaded ships it). */
export function photoEventDeps(): PhotoCheckDeps {
  return { ...photoDeps(), normalise: normalisePhoto };
}

/**
 * What a read needs to settle a photo whose check never came: no decoder, so that getSession and getPhoto, which
 * every poll reaches, carry no sharp.
 */
export function photoReadDeps(signal?: AbortSignal): PhotoDeps {
  return photoDeps(signal);
}

/** What granting a photo upload needs: the photo domain and the signer of presigned POST forms. */
export function photoUploadDeps(signal?: AbortSignal): PhotoUploadDeps {
  return { ...photoDeps(signal), uploads: photoUploadSigner() };
}
