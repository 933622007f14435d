import { randomBytes } from "node:crypto";
import { currentTime, type Clocked } from "../clock.ts";
import { SessionCompletedError, SessionNotFoundError } from "../errors.ts";
import type * as z from "../schemas/zod.ts";
import type { photoUploadGrantBody } from "../schemas/responses.ts";
import type { PhotoState, Session, SessionStore } from "../sessions/model.ts";
import { updateSession } from "../sessions/optimistic.ts";
import { CHECKED_PHOTO_TYPE, objectKeys, type ObjectChecks, type ObjectStore, type UploadSigner } from "../storage/objects.ts";
import type { PhotoContentType } from "../schemas/photos.ts";
import type { PhotoNormaliser, PhotoVerdict } from "./inspect.ts";

export interface PhotoDeps extends Clocked {
  store: SessionStore;
  objects: ObjectChecks;
  maxPhotoBytes: number;
  uploadTtlSeconds: number;
  /** How long a read leaves a stored upload to its check before giving up on it (default PHOTO_CHECK_TIMEOUT_MS). */
  checkTimeoutMs?: number;
}

/**
 * What checking an uploaded photo needs besides: the decoder that judges it and makes the copy that is kept
 * (lib/photos/decode.ts, sharp). Only the S3 event's function has it, so that the functions every poll reaches carry
 * no native image library.
 */
export interface PhotoCheckDeps extends Omit<PhotoDeps, "objects"> {
  /** The whole store: the check writes the copy it keeps. */
  objects: ObjectStore;
  normalise: PhotoNormaliser;
}

/**
 * How long after an upload landed a read of the session waits for its check before rejecting it as `not_checked`.
 * The check is the S3 event's (it takes a second or two); a read cannot make the checked copy without a decoder, which
 * the read functions do not ship. Past this, S3's event and Lambda's first retry of it (a minute later) have had their
 * chance: the read settles the photo so the flow never hangs on a lost event, and the person may upload again.
 */
export const PHOTO_CHECK_TIMEOUT_MS = 120_000;

/** What granting an upload needs besides: the signer of presigned POST forms. */
export interface PhotoUploadDeps extends PhotoDeps {
  uploads: UploadSigner;
}

/** The body of POST /api/sessions/{sessionId}/photos/user. */
export type PhotoUploadGrant = z.infer<typeof photoUploadGrantBody>;

/** Issues a presigned POST for the user's photo (server-made key, pinned type and size) and marks the photo pending. */
export async function requestPhotoUpload(
  deps: PhotoUploadDeps,
  session: Session,
  input: { contentType: PhotoContentType; contentLength: number },
): Promise<PhotoUploadGrant> {
  if (session.status === "completed") throw new SessionCompletedError();
  const now = currentTime(deps);
  const key = objectKeys.userPhoto(session.id, randomBytes(12).toString("base64url"));
  const { url, fields } = await deps.uploads.presignUpload({
    key,
    contentType: input.contentType,
    contentLength: input.contentLength,
    expiresInSeconds: deps.uploadTtlSeconds,
  });
  const pending: PhotoState = {
    status: "pending",
    contentType: input.contentType,
    key,
    size: input.contentLength,
    requestedAt: now.toISOString(),
  };
  // Checked and written at the version read: a completion that got in first turns this grant into a 409, and one that
  // comes after sees the new pending photo, so no archive can point at the photo this one replaces.
  const photo = await updateSession<PhotoState>(deps.store, session.id, {
    loaded: session,
    decide: (current) => {
      if (!current) throw new SessionNotFoundError();
      if (current.status === "completed") throw new SessionCompletedError();
      // Newest first, and a few: each grant that answered deleted the keys it listed, so only a run of grants that met
      // a failing S3 carries keys forward, and what falls off the end is left to the bucket's lifecycle.
      const discard = current.photo ? photoObjects(current.photo).slice(0, MAX_DISCARDED_KEYS) : [];
      const next: PhotoState = discard.length > 0 ? { ...pending, discard } : pending;
      return { write: { set: { photo: next } }, saved: () => next };
    },
  });
  // Only once the session no longer names them. S3 failing here is a 503 with the new photo pending and the old
  // objects listed in it: a retry of the grant, or the check of this upload, deletes them.
  await removeAll(deps.objects, photo.discard);
  return {
    upload: { method: "POST", url, fields, expiresAt: new Date(now.getTime() + deps.uploadTtlSeconds * 1000).toISOString() },
    photo: { status: "pending" },
  };
}

const MAX_DISCARDED_KEYS = 8;

/** Every object a photo may have left: its checked copy or upload, the upload it consumed, those it was to discard. */
function photoObjects(photo: PhotoState): string[] {
  return [...new Set([photo.key, ...(photo.upload ? [photo.upload] : []), ...(photo.discard ?? [])])];
}

async function removeAll(objects: Pick<ObjectStore, "remove">, keys: string[] | undefined): Promise<void> {
  await Promise.all((keys ?? []).map((key) => objects.remove(key)));
}

/**
 * Checks the object at an upload's key against what was declared (size, type, then a full decode by `normalise`),
 * stores the checked copy under a key of its own and marks the photo ready, or marks it rejected; either way the
 * upload's raw bytes are deleted. A form is good for one upload: its key is awaited only while the photo is pending
 * for it, so whatever is posted there later (the same form again, before or after ready, before or after completion)
 * is never read, never served, and removed. Safe to run twice and at once (S3 delivers an event at least once).
 */
export async function confirmPhoto(deps: PhotoCheckDeps, sessionId: string, uploadKey: string): Promise<PhotoState | null> {
  const session = await deps.store.load(sessionId);
  if (!isAwaiting(session, uploadKey)) {
    await deps.objects.remove(uploadKey);
    return checkedFrom(session, uploadKey);
  }
  const photo = session.photo;
  const object = await deps.objects.read(uploadKey, deps.maxPhotoBytes);
  if (!object) return photo;

  const verdict = await judge(deps, photo, object);
  const checkedAt = currentTime(deps).toISOString();
  // A key of its own per check: of two checks of the same upload at once, the one that loses leaves the winner's copy alone.
  const copyKey = verdict.ok ? objectKeys.checkedPhoto(sessionId, randomBytes(12).toString("base64url")) : undefined;
  const next: PhotoState = verdict.ok
    ? {
        status: "ready",
        contentType: CHECKED_PHOTO_TYPE,
        key: copyKey ?? uploadKey,
        upload: uploadKey,
        size: verdict.bytes.length,
        width: verdict.width,
        height: verdict.height,
        requestedAt: photo.requestedAt,
        checkedAt,
      }
    : {
        status: "rejected",
        contentType: photo.contentType,
        key: uploadKey,
        upload: uploadKey,
        size: object.size,
        reason: verdict.reason,
        requestedAt: photo.requestedAt,
        checkedAt,
      };
  if (copyKey && verdict.ok) await deps.objects.write(copyKey, verdict.bytes, CHECKED_PHOTO_TYPE);

  let settled: PhotoState | null;
  try {
    // Other writes (a message, say) may land meanwhile; the verdict stands as long as this upload is still the one awaited.
    settled = await updateSession<PhotoState | null>(deps.store, sessionId, {
      loaded: session,
      decide: (current) =>
        isAwaiting(current, uploadKey) ? { write: { set: { photo: next } }, saved: () => next } : { done: checkedFrom(current, uploadKey) },
      contended: () => {
        // Thrown, so that the event is delivered again (Lambda retries it) while the upload is still there.
        throw new Error("The photo's session kept changing; its check is left to a retry");
      },
    });
  } catch (error) {
    if (copyKey) await deps.objects.remove(copyKey);
    throw error;
  }
  if (copyKey && settled !== next) await deps.objects.remove(copyKey);
  // Handled, kept or not: the raw bytes (and whatever a replay put there meanwhile) go, and what the grant of this
  // upload could not delete of the photo it replaced.
  await removeAll(deps.objects, [uploadKey, ...(settled === next ? (photo.discard ?? []) : [])]);
  return settled;
}

/** Whether the session waits for this upload: its photo is pending for it, and it is not completed. */
function isAwaiting(session: Session | null, uploadKey: string): session is Session & { photo: PhotoState } {
  return session?.status === "collecting" && session.photo?.status === "pending" && session.photo.key === uploadKey;
}

/** The photo an upload became, when this upload was checked; null when the session has moved on from it. */
function checkedFrom(session: Session | null, uploadKey: string): PhotoState | null {
  const photo = session?.photo;
  return photo && (photo.upload ?? photo.key) === uploadKey ? photo : null;
}

async function judge(
  deps: PhotoCheckDeps,
  photo: PhotoState,
  object: { bytes: Buffer; size: number; contentType?: string },
): Promise<PhotoVerdict> {
  if (object.size === 0) return { ok: false, reason: "empty" };
  if (object.size > deps.maxPhotoBytes) return { ok: false, reason: "too_large" };
  if (photo.size !== undefined && object.size !== photo.size) return { ok: false, reason: "size_mismatch" };
  // S3 enforces the upload policy's Content-Type; an emulator, or a policy loosened by mistake, may not.
  if (mediaType(object.contentType) !== photo.contentType) return { ok: false, reason: "content_type_mismatch" };
  return deps.normalise(object.bytes, photo.contentType as PhotoContentType);
}

/** The media type of a Content-Type value (`image/png` of `Image/PNG; q=1`), or null without one. */
function mediaType(contentType: string | undefined): string | null {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() || null;
}

/**
 * On a read: settles a pending photo whose upload has waited longer than PHOTO_CHECK_TIMEOUT_MS for its check (a lost
 * S3 event) as rejected, `not_checked`, so the flow never hangs. It decodes nothing: the copy that is kept is made only
 * by the check, in the one function that ships a decoder. Nor does it delete (the reads may not): the upload, named in
 * the rejected photo, is never read or served, and goes with the next grant, a late event, or the bucket's lifecycle.
 */
export async function settlePendingPhoto(deps: PhotoDeps, session: Session): Promise<Session> {
  if (session.photo?.status !== "pending" || session.status === "completed") return session;
  const uploadKey = session.photo.key;
  const storedAt = await deps.objects.storedAt(uploadKey);
  if (!storedAt) return session;
  const now = currentTime(deps);
  if (now.getTime() - storedAt.getTime() < (deps.checkTimeoutMs ?? PHOTO_CHECK_TIMEOUT_MS)) return session;
  const rejected: PhotoState = {
    ...session.photo,
    status: "rejected",
    upload: uploadKey,
    reason: "not_checked",
    checkedAt: now.toISOString(),
  };
  const settled = await updateSession<Session>(deps.store, session.id, {
    loaded: session,
    decide: (current) => {
      if (!current) return { done: session };
      return isAwaiting(current, uploadKey)
        ? { write: { set: { photo: rejected } }, saved: (version) => ({ ...current, photo: rejected, version }) }
        : { done: current };
    },
    contended: () => session,
  });
  return settled;
}
