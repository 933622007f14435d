import { createS3Bucket } from "../clients/s3.ts";
import { S3Signer } from "../clients/s3-signer.ts";
import { normalisePhoto } from "../photos/decode.ts";
import type { PhotoCheckDeps, PhotoDeps, PhotoUploadDeps } from "../photos/photos.ts";
import type { SessionReadDeps } from "../photos/views.ts";
import type { ObjectLinks, UploadSigner } from "../storage/objects.ts";
import { S3HttpObjects } from "../storage/s3-http-objects.ts";
import { S3LinkSigner } from "../storage/s3-links.ts";
import { S3ObjectStore } from "../storage/s3-object-store.ts";
import { S3UploadSigner } from "../storage/s3-upload-signer.ts";
import { getConfig } from "./config.ts";
import { sessionStore } from "./sessions.ts";

let objects: S3ObjectStore | undefined;
let links: ObjectLinks | undefined;
let checks: S3HttpObjects | undefined;
let uploads: UploadSigner | undefined;

/**
 * The process-wide signer of the GET URLs handed to browsers, for S3_PUBLIC_ENDPOINT (locally another host than the
 * functions reach). It needs no S3 client: the functions that only hand out links carry none.
 */
export function objectLinks(): ObjectLinks {
  const config = getConfig();
  links ??= new S3LinkSigner(
    new S3Signer({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint: config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT }),
  );
  return links;
}

/** The process-wide object store on the photo bucket (the S3 client), for the functions that write; calls go to S3_ENDPOINT. */
export function objectStore(signal?: AbortSignal): S3ObjectStore {
  const config = getConfig();
  if (!objects) {
    const timeoutMs = config.DEPENDENCY_TIMEOUT_MS;
    const server = createS3Bucket({
      bucket: config.PHOTO_BUCKET,
      region: config.AWS_REGION,
      endpoint: config.S3_ENDPOINT,
      requestTimeoutMs: timeoutMs,
    });
    objects = new S3ObjectStore(server, objectLinks(), { timeoutMs });
  }
  return objects.forRequest(signal);
}

/** The object calls of a read that confirms a late upload (HEAD, ranged GET, DELETE), signed requests without the S3 client. */
function objectChecks(signal?: AbortSignal): S3HttpObjects {
  const config = getConfig();
  checks ??= new S3HttpObjects(new S3Signer({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint: config.S3_ENDPOINT }), {
    timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
  });
  return checks.forRequest(signal);
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
  return photoDepsOn(objectStore(signal));
}

function photoDepsOn(objects: PhotoDeps["objects"]): PhotoDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects,
    maxPhotoBytes: config.MAX_PHOTO_BYTES,
    uploadTtlSeconds: config.PHOTO_UPLOAD_TTL_SECONDS,
  };
}

/** What the S3 event's check of an upload needs: a full decode and the copy, with sharp (photoUploaded ships it). */
export function photoEventDeps(): PhotoCheckDeps {
  return { ...photoDepsOn(objectStore()), objects: objectStore(), normalise: normalisePhoto };
}

/**
 * What a read needs to settle a photo whose check never came: no decoder, and object calls that are signed requests,
 * so that getSession and getPhoto, which every poll reaches, carry neither sharp nor the S3 client.
 */
export function photoReadDeps(signal?: AbortSignal): PhotoDeps {
  return photoDepsOn(objectChecks(signal));
}

/** What reading a session or one of its pictures needs: photoReadDeps, and the signer of the links. */
export function sessionReadDeps(signal?: AbortSignal): SessionReadDeps {
  return { ...photoReadDeps(signal), links: objectLinks(), urlTtlSeconds: getConfig().DOWNLOAD_URL_TTL_SECONDS };
}

/** What granting a photo upload needs: the photo domain and the signer of presigned POST forms. */
export function photoUploadDeps(signal?: AbortSignal): PhotoUploadDeps {
  return { ...photoDeps(signal), uploads: photoUploadSigner() };
}
