import { getConfig } from "../config.ts";
import { photoObjects, photoUploadSigner } from "../clients/s3.ts";
import type { PhotoDeps, PhotoUploadDeps } from "../photos/photos.ts";
import type { ObjectStore } from "../storage/objects.ts";
import { sessionStore } from "./sessions.ts";

/** The process-wide object store on the photo bucket. */
export function objectStore(): ObjectStore {
  return photoObjects();
}

/** What the photo domain needs, from the real clients and the configured limits. */
export function photoDeps(): PhotoDeps {
  const config = getConfig();
  return {
    store: sessionStore(),
    objects: objectStore(),
    maxPhotoBytes: config.MAX_PHOTO_BYTES,
    uploadTtlSeconds: config.PHOTO_UPLOAD_TTL_SECONDS,
  };
}

/** What granting a photo upload needs: the photo domain and the signer of presigned POST forms. */
export function photoUploadDeps(): PhotoUploadDeps {
  return { ...photoDeps(), uploads: photoUploadSigner() };
}
