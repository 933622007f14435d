import { randomBytes } from "node:crypto";
import { currentTime, type Clocked } from "../clock.ts";
import { SessionCompletedError, SessionNotFoundError } from "../errors.ts";
import type * as z from "../schemas/zod.ts";
import type { photoUploadGrantBody } from "../schemas/responses.ts";
import type { PhotoState, Session, SessionStore } from "../sessions/model.ts";
import { updateSession } from "../sessions/optimistic.ts";
import { objectKeys, type ObjectChecks, type UploadSigner } from "../storage/objects.ts";
import type { PhotoContentType } from "../schemas/photos.ts";
import type { InspectionResult, PhotoInspector } from "./inspect.ts";

export interface PhotoDeps extends Clocked {
  store: SessionStore;
  objects: ObjectChecks;
  maxPhotoBytes: number;
  uploadTtlSeconds: number;
  /** How long a read leaves a fresh upload to its S3 event before confirming it itself (default PHOTO_EVENT_GRACE_MS). */
  eventGraceMs?: number;
}

/**
 * What checking an uploaded photo needs besides: how its bytes are judged. The S3 event's function decodes them in full
 * (lib/photos/decode.ts, sharp); a read that confirms a photo whose event is late checks them without a decoder
 * (`inspectImageFraming`), so that the functions every poll reaches carry no native image library.
 */
export interface PhotoCheckDeps extends PhotoDeps {
  inspect: PhotoInspector;
}

/**
 * How long after an upload a read of the session leaves the photo to its S3 event. The event's function checks the
 * object within a second or two; a read that checked it too (every poll of a waiting page would) only doubles the
 * work — a ranged GET of up to 10 MiB, a full decode by sharp — and races the event's write, and an event that is
 * late is most often a busy one. Past this, the read confirms the photo itself, so the flow never hangs on a lost event.
 */
export const PHOTO_EVENT_GRACE_MS = 10_000;

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
  const photo: PhotoState = {
    status: "pending",
    contentType: input.contentType,
    key,
    size: input.contentLength,
    requestedAt: now.toISOString(),
  };
  // A new upload replaces the photo, and the old object goes first, so a session never holds two. In this order a
  // failure changes nothing the session shows (S3 down: the photo is still the old one), and a retry finishes the work.
  if (session.photo && session.photo.key !== key) await deps.objects.remove(session.photo.key);
  const saved = await deps.store.save(session.id, { set: { photo } });
  if (saved.outcome === "missing") throw new SessionNotFoundError();
  return {
    upload: { method: "POST", url, fields, expiresAt: new Date(now.getTime() + deps.uploadTtlSeconds * 1000).toISOString() },
    photo: { status: "pending" },
  };
}

/**
 * Checks an uploaded object against what was declared (size, then `deps.inspect`) and marks the photo ready or
 * rejected, deleting a rejected object. Safe to run twice and from two places (S3 event and a read).
 */
export async function confirmPhoto(deps: PhotoCheckDeps, sessionId: string, key: string): Promise<PhotoState | null> {
  const session = await deps.store.load(sessionId);
  if (!isAwaiting(session, key)) {
    // An upload nobody is waiting for (session gone, or replaced by a newer upload) is not kept.
    if (session?.photo?.key !== key) await deps.objects.remove(key);
    return session?.photo?.key === key ? session.photo : null;
  }
  const photo = session.photo;
  const object = await deps.objects.read(key, deps.maxPhotoBytes);
  if (!object) return photo;

  const verdict = await judge(deps, photo, object);
  if (!verdict.ok) await deps.objects.remove(key);
  const checkedAt = currentTime(deps).toISOString();
  const next: PhotoState = verdict.ok
    ? { ...photo, status: "ready", size: object.size, checkedAt }
    : { ...photo, status: "rejected", size: object.size, reason: verdict.reason, checkedAt };

  // Other writes (a message, say) may land meanwhile; the verdict stands as long as this upload is still the one awaited.
  return updateSession<PhotoState | null>(deps.store, sessionId, {
    loaded: session,
    decide: (current) =>
      isAwaiting(current, key)
        ? { write: { set: { photo: next } }, saved: () => next }
        : { done: current?.photo?.key === key ? current.photo : null },
    contended: () => photo,
  });
}

function isAwaiting(session: Session | null, key: string): session is Session & { photo: PhotoState } {
  return session?.photo?.key === key && session.photo.status === "pending";
}

async function judge(
  deps: PhotoCheckDeps,
  photo: PhotoState,
  object: { bytes: Buffer; size: number; contentType?: string },
): Promise<InspectionResult> {
  if (object.size === 0) return { ok: false, reason: "empty" };
  if (object.size > deps.maxPhotoBytes) return { ok: false, reason: "too_large" };
  if (photo.size !== undefined && object.size !== photo.size) return { ok: false, reason: "size_mismatch" };
  // S3 enforces the upload policy's Content-Type; an emulator, or a policy loosened by mistake, may not.
  if (mediaType(object.contentType) !== photo.contentType) return { ok: false, reason: "content_type_mismatch" };
  return deps.inspect(object.bytes, photo.contentType as PhotoContentType);
}

/** The media type of a Content-Type value (`image/png` of `Image/PNG; q=1`), or null without one. */
function mediaType(contentType: string | undefined): string | null {
  return contentType?.split(";", 1)[0]?.trim().toLowerCase() || null;
}

/**
 * On a read: confirms a pending photo whose object has been stored for longer than the S3 event takes to settle it
 * (PHOTO_EVENT_GRACE_MS), so the flow never waits on a late or lost event.
 */
export async function settlePendingPhoto(deps: PhotoCheckDeps, session: Session): Promise<Session> {
  if (session.photo?.status !== "pending") return session;
  const storedAt = await deps.objects.storedAt(session.photo.key);
  if (!storedAt) return session;
  const now = currentTime(deps);
  if (now.getTime() - storedAt.getTime() < (deps.eventGraceMs ?? PHOTO_EVENT_GRACE_MS)) return session;
  const photo = await confirmPhoto(deps, session.id, session.photo.key);
  return photo ? { ...session, photo } : session;
}
