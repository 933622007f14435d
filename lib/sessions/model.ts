import type { Profile } from "../interview/profile.ts";
import { isCheckedPhotoKey } from "../storage/objects.ts";

import type { ImageKind } from "../schemas/images.ts";
import type { PhotoRejection } from "../schemas/photos.ts";
import type { Locale } from "../schemas/sessions.ts";

export type { ImageKind, Locale };
export type SessionStatus = "collecting" | "completed";

/** One line of the interview, as kept in the session history. */
export interface SessionMessage {
  role: "user" | "assistant";
  text: string;
  at: string;
}

export interface PhotoState {
  status: "pending" | "ready" | "rejected";
  /** The declared type while pending or rejected; once ready, the checked copy's type (CHECKED_PHOTO_TYPE). */
  contentType: string;
  /** Pending: the upload's key, where its form puts the raw bytes. Ready: the checked copy's key, the one ever served. */
  key: string;
  /** Once checked: the upload's key the check consumed (its form may be posted again; what lands there is removed). */
  upload?: string;
  /** Bytes: the declared size while pending, the uploaded size when rejected, the checked copy's size when ready. */
  size?: number;
  width?: number;
  height?: number;
  /**
   * Objects of the photo this one replaced, deleted by the grant once the session no longer names them; kept here so
   * that when S3 fails that moment, a retry of the grant (or the check of this upload) deletes them still.
   */
  discard?: string[];
  reason?: PhotoRejection;
  requestedAt: string;
  checkedAt?: string;
}

export interface ImageState {
  status: "pending" | "running" | "ready" | "failed";
  jobId: string;
  inputsHash: string;
  key?: string;
  error?: string;
  requestedAt: string;
  /** When a worker claimed the job (pending → running). */
  startedAt?: string;
  finishedAt?: string;
}

/** Everything Hera keeps about a live session. */
export interface Session {
  id: string;
  tokenHash: string;
  status: SessionStatus;
  locale: Locale;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  completedAt?: string;
  profile: Profile;
  userMessageCount: number;
  photo: PhotoState | null;
  images: Record<ImageKind, ImageState | null>;
  messages: SessionMessage[];
  /** Bumped by every write; writers that read first pass it back to detect a concurrent change. */
  version: number;
}

/** The parts of a session a single write may set; anything left out is kept as it is. */
export interface SessionFields {
  tokenHash?: string;
  status?: SessionStatus;
  locale?: Locale;
  createdAt?: string;
  updatedAt?: string;
  expiresAt?: string;
  completedAt?: string;
  profile?: Profile;
  userMessageCount?: number;
  photo?: PhotoState | null;
  /** The jobs of the pictures to set; a kind left out is kept as it is. */
  images?: Partial<Record<ImageKind, ImageState | null>>;
}

/** One write to a session: fields to set and messages to append, applied atomically with the TTL refresh. */
export interface SessionChange {
  /** When given, the write applies only if the session is still at this version. */
  expectedVersion?: number;
  /**
   * A unique id of this write: a write re-sent after its answer was lost is then recognised as applied (see
   * WRITE_SESSION_SCRIPT) instead of being refused as a conflict.
   */
  writeId?: string;
  set: SessionFields;
  append?: SessionMessage[];
}

export type SaveResult = { outcome: "saved"; version: number } | { outcome: "conflict" } | { outcome: "missing" };

/** Where sessions live; the Redis implementation is the real one, tests may pass a fake. */
export interface SessionStore {
  /** Creates a session and says when it expires; null when the id is already taken. */
  create(id: string, fields: SessionFields, messages: SessionMessage[]): Promise<{ expiresAt: string } | null>;
  /** Loads the whole session, or null when it does not exist (or expired). */
  load(id: string): Promise<Session | null>;
  /** Applies one change atomically and refreshes the TTL of every key of the session. */
  save(id: string, change: SessionChange): Promise<SaveResult>;
  /** Erases every key of the session; false when there was nothing to erase. */
  remove(id: string): Promise<boolean>;
  /**
   * Starts an erasure: leaves a tombstone holding the owner's token hash (so that a retry can finish an erasure that
   * failed half-way, and no write can find the session any more), then erases every key of the session and `alsoKeys`
   * (its rate-limit counters). False when there was no session.
   */
  beginErasure(id: string, ownerTokenHash: string, alsoKeys: string[]): Promise<boolean>;
  /** The token hash an unfinished erasure recorded, or null. */
  erasureOwner(id: string): Promise<string | null>;
  /** Ends an erasure: removes the tombstone, and `alsoKeys` once more (counters a request in flight recreated). */
  endErasure(id: string, alsoKeys: string[]): Promise<void>;
}

/** The change that sets the job of one kind of picture. */
export function imageFields(kind: ImageKind, state: ImageState | null): SessionFields {
  return { images: { [kind]: state } };
}

/** Seconds past the generation deadline before a job still pending or running is taken as lost. */
export const LOST_JOB_MARGIN_SECONDS = 90;

/** How long an image job may be under way before it counts as lost, for a generation deadline in seconds. */
export function lostJobAfterMs(imageTimeoutSeconds: number): number {
  return (imageTimeoutSeconds + LOST_JOB_MARGIN_SECONDS) * 1000;
}

/**
 * Whether an image job is pending or running, and not for so long that it counts as lost (its worker was killed or
 * its event never arrived); a lost job may be replaced, and nobody waits for it.
 */
export function isJobUnderWay(
  image: ImageState | null,
  nowMs: number,
  staleAfterMs: number,
): image is ImageState & { status: "pending" | "running" } {
  if (image?.status !== "pending" && image?.status !== "running") return false;
  const since = Date.parse(image.startedAt ?? image.requestedAt);
  return !(Number.isFinite(since) && nowMs - since > staleAfterMs);
}

/**
 * The photo's checked copy when the photo is ready: the only photo object that is ever served, archived or given to a
 * provider. A photo made ready before copies were kept (its key an upload's) counts as none.
 */
export function checkedPhotoOf(photo: PhotoState | null): { key: string; contentType: string } | null {
  return photo?.status === "ready" && isCheckedPhotoKey(photo.key) ? { key: photo.key, contentType: photo.contentType } : null;
}
