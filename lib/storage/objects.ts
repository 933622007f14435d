import type { ImageKind } from "../schemas/images.ts";

/** Grants browser uploads; apart from ObjectStore so that only the function granting uploads carries its signer. */
export interface UploadSigner {
  /** A presigned POST form that accepts exactly this object: key, Content-Type and size pinned by the policy. */
  presignUpload(input: { key: string; contentType: string; contentLength: number; expiresInSeconds: number }): Promise<{
    url: string;
    fields: Record<string, string>;
  }>;
}

/** What the domain needs of an object store; S3 in production, a fake in unit tests. */
export interface ObjectStore {
  /** The object's bytes (at most `maxBytes + 1` are read) and its real size, or null when it does not exist. */
  read(key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; contentType?: string } | null>;
  /** Whether the object exists. */
  exists(key: string): Promise<boolean>;
  /** When the object was stored, or null when it does not exist. */
  storedAt(key: string): Promise<Date | null>;
  /** Writes an object in one request (so a reader never sees a partial one). */
  write(key: string, body: Buffer, contentType: string): Promise<void>;
  /** Deletes one object; deleting a missing object is not an error. */
  remove(key: string): Promise<void>;
  /** Deletes every object under a prefix and says how many there were. */
  removePrefix(prefix: string): Promise<number>;
  /**
   * A presigned GET URL a browser can use in `<img src>`, served as `contentType` (the confirmed type) and inline,
   * whatever type the object was stored with.
   */
  presignDownload(key: string, expiresInSeconds: number, served: { contentType: string }): Promise<string>;
}

/** What a function that only hands out links needs of the store: the presigned GET URLs, signed without the S3 client. */
export type ObjectLinks = Pick<ObjectStore, "presignDownload">;

/** What checking an upload needs of the store: find it, read it, delete it when it is rejected or replaced. */
export type ObjectChecks = Pick<ObjectStore, "read" | "exists" | "storedAt" | "remove">;

/** Where everything of a session lives in the bucket; keys are only ever made here, never from client input. */
export const objectKeys = {
  sessionPrefix: (sessionId: string) => `sessions/${sessionId}/`,
  /** Where a presigned form puts an upload: raw, unchecked bytes, read once by the check and then deleted. */
  userPhoto: (sessionId: string, uploadId: string) => `sessions/${sessionId}/uploads/${uploadId}/${USER_PHOTO_SUFFIX}`,
  /**
   * The checked, normalised copy of a photo, the only one ever served, archived or given to a provider. No form can
   * write here: a form's policy pins its `uploads/` key, and the granting function may only sign forms for `uploads/`.
   */
  checkedPhoto: (sessionId: string, photoId: string) => `sessions/${sessionId}/photo/${photoId}.jpg`,
  image: (sessionId: string, kind: ImageKind) => `sessions/${sessionId}/images/${kind}.png`,
};

/** The type of every generated image (`objectKeys.image`). */
export const GENERATED_IMAGE_TYPE = "image/png";

/** The type of every checked photo (`objectKeys.checkedPhoto`): one format, whatever was uploaded (docs/api.md says why). */
export const CHECKED_PHOTO_TYPE = "image/jpeg";

/** The S3 notification for uploaded photos filters on this suffix (and the `sessions/` prefix). */
export const USER_PHOTO_SUFFIX = "user-photo";

const USER_PHOTO_KEY = /^sessions\/([A-Za-z0-9_-]{22})\/uploads\/([A-Za-z0-9_-]{1,64})\/user-photo$/;

const CHECKED_PHOTO_KEY = /^sessions\/[A-Za-z0-9_-]+\/photo\/[A-Za-z0-9_-]{1,64}\.jpg$/;

/** Whether a key is a checked photo's copy (`objectKeys.checkedPhoto`), never an upload's raw bytes. */
export function isCheckedPhotoKey(key: string): boolean {
  return CHECKED_PHOTO_KEY.test(key);
}

/** The session id of a user-photo key, or null for any other key. */
export function sessionIdOfPhotoKey(key: string): string | null {
  return USER_PHOTO_KEY.exec(key)?.[1] ?? null;
}
