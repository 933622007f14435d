import { currentTime, type Clocked } from "../clock.ts";
import { ImagesPendingError, ProfileIncompleteError, SessionNotFoundError } from "../errors.ts";
import { missingFields } from "../interview/profile-fields.ts";
import { checkedPhotoOf, isJobUnderWay, type Session, type SessionStore } from "../sessions/model.ts";
import { updateSession } from "../sessions/optimistic.ts";
import type * as z from "../schemas/zod.ts";
import type { archivedResultBody, completedSessionBody, resultBody } from "../schemas/responses.ts";
import { isSessionId, tokenMatches } from "../sessions/tokens.ts";
import { GENERATED_IMAGE_TYPE, objectKeys, type ObjectLinks, type ObjectStore } from "../storage/objects.ts";
import type { ResultArchive, ResultRecord } from "./model.ts";

export interface ResultDeps extends Clocked {
  store: SessionStore;
  archive: ResultArchive;
  objects: ObjectStore;
  retentionDays: number;
  urlTtlSeconds: number;
  /** How long an image job may be under way before it counts as lost (then completion does not wait for it). */
  staleAfterMs: number;
  /** The Redis keys of the session's rate-limit counters (given its owner's token hash), erased with it. */
  limitKeys?: (sessionId: string, ownerTokenHash: string) => string[];
}

/** What reading an archived result needs: the archive and the links to its pictures, no session store and no S3 client. */
export interface ArchiveDeps extends Clocked {
  archive: ResultArchive;
  objects: ObjectLinks;
  urlTtlSeconds: number;
}

const IMAGE_KINDS = ["partner", "child"] as const;

/** What a completed session keeps, with presigned URLs of its pictures. */
export type ResultView = z.infer<typeof resultBody>;

/** The body of POST /api/sessions/{sessionId}/complete. */
export type CompletedView = z.infer<typeof completedSessionBody>;

/** The body of GET /api/sessions/{sessionId}/result. */
export type ArchivedResult = z.infer<typeof archivedResultBody>;

/**
 * Completes a session: marks it completed (a versioned write, so no image job can be recorded in between), then
 * archives its result with a conditional put (one record, whatever the retries or parallel calls). Every call answers
 * with the same `completedAt`; a retry after a failed put finishes the work. While an image job is under way it is
 * refused with 409 `images_pending` and Retry-After, so that no picture that becomes ready is missing from the result.
 */
export async function completeSession(deps: ResultDeps, session: Session): Promise<CompletedView> {
  const completed = await updateSession<Session>(deps.store, session.id, {
    loaded: session,
    decide: (current) => {
      if (!current) throw new SessionNotFoundError();
      if (current.status === "completed") return { done: current };
      const missing = missingFields(current.profile);
      if (missing.length > 0) {
        throw new ProfileIncompleteError(missing);
      }
      const nowMs = currentTime(deps).getTime();
      const pending = IMAGE_KINDS.filter((kind) => isJobUnderWay(current.images[kind], nowMs, deps.staleAfterMs));
      if (pending.length > 0) {
        throw new ImagesPendingError(pending);
      }
      const completedAt = new Date(nowMs).toISOString();
      // Completion is final: an upload not checked by now is dropped (its check, if it comes, finds nobody waiting
      // and deletes it), so the session never shows a photo its result does not have.
      const photo = current.photo?.status === "pending" ? null : current.photo;
      return {
        write: { set: { status: "completed", completedAt, photo } },
        saved: (version) => ({ ...current, status: "completed", completedAt, photo, version }),
      };
    },
  });
  const completedAt = completed.completedAt ?? currentTime(deps).toISOString();
  const photo = checkedPhotoOf(completed.photo);
  const { record } = await deps.archive.putOnce({
    sessionId: completed.id,
    tokenHash: completed.tokenHash,
    locale: completed.locale,
    completedAt,
    profile: completed.profile,
    ...(photo ? { photoKey: photo.key, photoContentType: photo.contentType } : {}),
    ...(completed.images.partner?.status === "ready" && completed.images.partner.key
      ? { partnerImageKey: completed.images.partner.key }
      : {}),
    ...(completed.images.child?.status === "ready" && completed.images.child.key ? { childImageKey: completed.images.child.key } : {}),
    expiresAt: Math.floor(Date.parse(completedAt) / 1000) + deps.retentionDays * 86_400,
  });
  // An erasure that ran meanwhile removed the session before it removed the record; a record put after that goes too.
  if (!(await deps.store.load(completed.id))) {
    await deps.archive.remove(completed.id);
    throw new SessionNotFoundError();
  }
  return { status: "completed", completedAt: record.completedAt, expiresAt: expiryOf(record), result: await resultView(deps, record) };
}

/**
 * The archived result for the holder of the session's token; it outlives the Redis session. A record past its
 * `expiresAt` is gone from that second on, whenever DynamoDB's TTL sweep (documented to take up to a few days)
 * actually deletes it.
 */
export async function readResult(deps: ArchiveDeps, sessionId: string | undefined, token: string): Promise<ArchivedResult> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const record = await deps.archive.get(sessionId);
  if (!record || !tokenMatches(record.tokenHash, token) || isExpired(record, currentTime(deps))) throw new SessionNotFoundError();
  return {
    sessionId,
    completedAt: record.completedAt,
    expiresAt: expiryOf(record),
    result: await resultView(deps, record),
  };
}

/** Whether a result's retention has ended: from `expiresAt` on, it is not served, whatever the TTL sweep did. */
export function isExpired(record: Pick<ResultRecord, "expiresAt">, now: Date): boolean {
  return record.expiresAt * 1000 <= now.getTime();
}

const expiryOf = (record: Pick<ResultRecord, "expiresAt">): string => new Date(record.expiresAt * 1000).toISOString();

/**
 * Erases everything of a session — Redis keys (its rate-limit counters included), every object under its S3 prefix,
 * the archive record — for the holder of its token, whether the session is live, archived or both. Redis goes first,
 * leaving a tombstone with the owner's token hash: from then on no write finds the session, and every writer that
 * stores something outside Redis (the image worker, a completion) checks the session after its write and removes
 * what it wrote; what it stored before is under the prefix when the objects are listed. A retry with the same token
 * finishes an erasure that failed half-way.
 */
export async function eraseSession(
  deps: Pick<ResultDeps, "store" | "archive" | "objects" | "limitKeys">,
  sessionId: string | undefined,
  token: string,
): Promise<{ redis: boolean; objects: number; archive: boolean }> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const [session, record, unfinished] = await Promise.all([
    deps.store.load(sessionId),
    deps.archive.get(sessionId),
    deps.store.erasureOwner(sessionId),
  ]);
  const owner = session?.tokenHash ?? record?.tokenHash ?? unfinished;
  if (!owner || !tokenMatches(owner, token)) throw new SessionNotFoundError();
  const counters = deps.limitKeys?.(sessionId, owner) ?? [];
  const redis = await deps.store.beginErasure(sessionId, owner, counters);
  const objects = await deps.objects.removePrefix(objectKeys.sessionPrefix(sessionId));
  // Whatever was read above: a completion in flight may have put its record since.
  const archive = await deps.archive.remove(sessionId);
  await deps.store.endErasure(sessionId, counters);
  return { redis, objects, archive };
}

async function resultView(deps: Pick<ArchiveDeps, "objects" | "urlTtlSeconds">, record: ResultRecord): Promise<ResultView> {
  const sign = async (key: string | undefined, contentType: string) =>
    key ? { url: await deps.objects.presignDownload(key, deps.urlTtlSeconds, { contentType }) } : null;
  // A record archived before the photo's type was kept: served as bytes to look at, never as a page.
  const photoType = record.photoContentType ?? "application/octet-stream";
  const [photo, partner, child] = await Promise.all([
    sign(record.photoKey, photoType),
    sign(record.partnerImageKey, GENERATED_IMAGE_TYPE),
    sign(record.childImageKey, GENERATED_IMAGE_TYPE),
  ]);
  return { profile: record.profile, photo, images: { partner, child } };
}
