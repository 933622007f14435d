import { currentTime, type Clocked } from "../clock.ts";
import { SessionNotFoundError } from "../errors.ts";
import { missingFields } from "../interview/profile-fields.ts";
import { imageFailureMessage } from "./failure-messages.ts";
import type { ChatProvider } from "../interview/chat-provider.ts";
import type * as z from "../schemas/zod.ts";
import type { createdSessionBody, imageViewBody, photoViewBody, sessionViewBody } from "../schemas/responses.ts";
import type { ImageState, Locale, PhotoState, Session, SessionMessage, SessionStore } from "./model.ts";
import type { SessionLimit } from "../limits/enforce.ts";
import { hashToken, isSessionId, newSessionId, newSessionToken, tokenHashMatches } from "./tokens.ts";

export interface CreateSessionDeps extends Clocked {
  store: SessionStore;
  interviewer: Pick<ChatProvider, "firstQuestion">;
}

/** The body of POST /api/sessions: the new session, its one-time token and the first question. */
export type CreatedSession = z.infer<typeof createdSessionBody>;

/** Opens a new session in the given locale and returns its id, its one-time token and the first question. */
export async function createSession(deps: CreateSessionDeps, input: { locale: Locale }): Promise<CreatedSession> {
  const now = currentTime(deps);
  const createdAt = now.toISOString();
  const reply = await deps.interviewer.firstQuestion({ locale: input.locale, profile: {} });
  const sessionToken = newSessionToken();
  const firstMessage: SessionMessage = { role: "assistant", text: reply, at: createdAt };
  // 128 random bits make a collision practically impossible; the loop only guards the contract.
  for (let attempt = 0; attempt < 3; attempt++) {
    const sessionId = newSessionId();
    const created = await deps.store.create(
      sessionId,
      {
        tokenHash: hashToken(sessionToken),
        status: "collecting",
        locale: input.locale,
        createdAt,
        profile: {},
        userMessageCount: 0,
        photo: null,
        images: { partner: null, child: null },
      },
      [firstMessage],
    );
    if (created) return { sessionId, sessionToken, status: "collecting", createdAt, expiresAt: created.expiresAt, reply };
  }
  throw new Error("Could not allocate a session id");
}

/**
 * Loads a session for the holder of its token; unknown id and wrong token are the same 404. With `limit` (a
 * per-session limit, see lib/limits/enforce.ts), the call is counted against the allowance at the same time, so that
 * the limiter's script travels in the session read's Redis round trip (lib/clients/redis-batch.ts). Being counted
 * before the token is checked, it is counted under the presented token's hash: a caller with a wrong token spends a
 * bucket of its own, never the owner's. An unknown session or a wrong token is a 404 whatever the limiter says; a
 * refused limit is a 429. With `claim` (the request's Idempotency-Key, lib/http/idempotency.ts), the key is claimed in
 * that same round trip, scoped to the session and the presented token.
 */
export async function openSession(
  store: Pick<SessionStore, "load">,
  sessionId: string | undefined,
  token: string,
  limit?: SessionLimit,
  claim?: SessionLimit,
): Promise<Session> {
  if (!isSessionId(sessionId)) throw new SessionNotFoundError();
  const presented = hashToken(token);
  const loading = store.load(sessionId);
  const counted = limit?.(sessionId, presented);
  const claimed = claim?.(sessionId, presented);
  // Settled later: an unknown session or a wrong token is a 404 whatever the limiter or the claim says.
  counted?.catch(() => undefined);
  claimed?.catch(() => undefined);
  const session = await loading;
  if (!session || !tokenHashMatches(session.tokenHash, presented)) throw new SessionNotFoundError();
  // A repeat is answered (or refused as a repeat) before the limit: replaying an answer is not a new request.
  await claimed;
  await counted;
  return session;
}

/** The user photo as a session view shows it. */
export type PhotoView = z.infer<typeof photoViewBody>;

/** A generated picture as a session view shows it. */
export type ImageView = z.infer<typeof imageViewBody>;

/** The body of GET /api/sessions/{sessionId}. */
export type SessionView = z.infer<typeof sessionViewBody>;

/** Presigned GET URLs for the objects of a session that are ready, keyed by what they show. */
export interface ObjectUrls {
  photo?: string;
  partner?: string;
  child?: string;
}

/** The public view of a session (docs/api.md): never the token hash, object keys or internal versions. */
export function sessionView(session: Session, urls: ObjectUrls = {}): SessionView {
  const missing = missingFields(session.profile);
  return {
    sessionId: session.id,
    status: session.status,
    locale: session.locale,
    createdAt: session.createdAt,
    updatedAt: session.updatedAt,
    expiresAt: session.expiresAt,
    profile: session.profile,
    missingFields: missing,
    profileComplete: missing.length === 0,
    messages: session.messages.map(({ role, text, at }) => ({ role, text, at })),
    photo: session.photo ? photoView(session.photo, urls.photo) : null,
    images: {
      partner: session.images.partner ? imageView(session.images.partner, urls.partner, session.locale) : null,
      child: session.images.child ? imageView(session.images.child, urls.child, session.locale) : null,
    },
    ...(session.completedAt ? { completedAt: session.completedAt } : {}),
  };
}

function photoView(photo: PhotoState, url: string | undefined): PhotoView {
  return {
    status: photo.status,
    contentType: photo.contentType,
    ...(photo.size === undefined ? {} : { size: photo.size }),
    ...(photo.reason === undefined ? {} : { reason: photo.reason }),
    ...(photo.status === "ready" && url ? { url } : {}),
  };
}

function imageView(image: ImageState, url: string | undefined, locale: Locale): ImageView {
  const message = image.error === undefined ? undefined : imageFailureMessage(image.error, locale);
  return {
    status: image.status,
    jobId: image.jobId,
    ...(image.error === undefined ? {} : { error: image.error }),
    ...(message === undefined ? {} : { message }),
    ...(image.status === "ready" && url ? { url } : {}),
  };
}
