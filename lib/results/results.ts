import { currentTime, type Clocked } from "../clock.ts";
import { ConflictError, SessionNotFoundError } from "../errors.ts";
import { missingFields } from "../interview/profile-fields.ts";
import type { Profile } from "../interview/profile.ts";
import type { Session, SessionStore } from "../sessions/model.ts";
import { isSessionId, tokenMatches } from "../sessions/tokens.ts";
import { GENERATED_IMAGE_TYPE, objectKeys, type ObjectStore } from "../storage/objects.ts";
import type { ResultArchive, ResultRecord } from "./model.ts";

export interface ResultDeps extends Clocked {
  store: SessionStore;
  archive: ResultArchive;
  objects: ObjectStore;
  retentionDays: number;
  urlTtlSeconds: number;
}

export interface ResultView {
  profile: Profile;
  photo: { url: string } | null;
  images: { partner: { url: string } | null; child: { url: string } | null };
}

export interface CompletedView {
  status: "completed";
  completedAt: string;
  result: ResultView;
}

/**
 * Completes a session: archives its result with a conditional put (one record, whatever the retries or
 * parallel calls), then marks the session completed. Every call answers with the archived `completedAt`.
 */
export async function completeSession(deps: ResultDeps, session: Session): Promise<CompletedView> {
  const missing = missingFields(session.profile);
  if (missing.length > 0) {
    throw new ConflictError("profile_incomplete", "The profile is not complete yet.", { details: { missingFields: missing } });
  }
  const now = currentTime(deps);
  const { record } = await deps.archive.putOnce({
    sessionId: session.id,
    tokenHash: session.tokenHash,
    locale: session.locale,
    completedAt: session.completedAt ?? now.toISOString(),
    profile: session.profile,
    ...(session.photo?.status === "ready" ? { photoKey: session.photo.key, photoContentType: session.photo.contentType } : {}),
    ...(session.images.partner?.status === "ready" && session.images.partner.key ? { partnerImageKey: session.images.partner.key } : {}),
    ...(session.images.child?.status === "ready" && session.images.child.key ? { childImageKey: session.images.child.key } : {}),
    expiresAt: Math.floor(now.getTime() / 1000) + deps.retentionDays * 86_400,
  });
  if (session.status !== "completed") {
    const saved = await deps.store.save(session.id, { set: { status: "completed", completedAt: record.completedAt } });
    if (saved.outcome === "missing") throw new SessionNotFoundError();
  }
  return { status: "completed", completedAt: record.completedAt, result: await resultView(deps, record) };
}

/** The archived result for the holder of the session's token; it outlives the Redis session. */
export async function readResult(
  deps: Pick<ResultDeps, "archive" | "objects" | "urlTtlSeconds">,
  sessionId: string | undefined,
  token: string,
): Promise<{ sessionId: string; completedAt: string; result: ResultView }> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const record = await deps.archive.get(sessionId);
  if (!record || !tokenMatches(record.tokenHash, token)) throw new SessionNotFoundError();
  return { sessionId, completedAt: record.completedAt, result: await resultView(deps, record) };
}

/**
 * Erases everything of a session — Redis keys, every object under its S3 prefix, the archive record —
 * for the holder of its token, whether the session is live, archived or both.
 */
export async function eraseSession(
  deps: Pick<ResultDeps, "store" | "archive" | "objects">,
  sessionId: string | undefined,
  token: string,
): Promise<{ redis: boolean; objects: number; archive: boolean }> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const [session, record] = await Promise.all([deps.store.load(sessionId), deps.archive.get(sessionId)]);
  const owner = session?.tokenHash ?? record?.tokenHash;
  if (!owner || !tokenMatches(owner, token)) throw new SessionNotFoundError();
  // Objects first: if a later step fails, a retry still finds the session and its token.
  const objects = await deps.objects.removePrefix(objectKeys.sessionPrefix(sessionId));
  const archive = record ? await deps.archive.remove(sessionId) : false;
  const redis = session ? await deps.store.remove(sessionId) : false;
  return { redis, objects, archive };
}

async function resultView(deps: Pick<ResultDeps, "objects" | "urlTtlSeconds">, record: ResultRecord): Promise<ResultView> {
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
