import { SessionBusyError } from "../errors.ts";
import type { Session, SessionChange, SessionStore } from "./model.ts";

/**
 * What one pass of an optimistic update decided on the session as read: write a change (applied only while the
 * session is still at the version read) and then answer `saved`, or answer `done` without writing.
 */
export type UpdateDecision<T> = { write: Omit<SessionChange, "expectedVersion">; saved: (version: number) => T | Promise<T> } | { done: T };

export interface OptimisticUpdate<T> {
  /** The session as the caller read it (null when gone): the first decision is taken on it. */
  loaded: Session | null;
  /**
   * Decides on the session as read, or on null when it is gone (then it must answer `done`, or throw); called again
   * on the fresh session after another writer got in first, and on null when the session vanished before the write.
   */
  decide(session: Session | null): UpdateDecision<T> | Promise<UpdateDecision<T>>;
  /** The answer when every attempt lost to another writer; by default 409 `session_busy`. */
  contended?(): T;
}

/**
 * The one policy of every read–decide–write loop: eight attempts, each retry after a jittered back-off that grows
 * with the attempt, so that racing writers do not collide again in lockstep (at most ~1.5 s in all).
 */
export const SESSION_WRITE_ATTEMPTS = 8;

/**
 * Reads a session, decides, and writes with `expectedVersion`: the store applies a write only at the version it was
 * decided on, so of two racing writers one wins and the other reads again and decides again. This is what makes
 * parallel requests one image job, a twice-delivered event one run and a message turn never lose another's write.
 */
export async function updateSession<T>(
  store: Pick<SessionStore, "load" | "save">,
  sessionId: string,
  update: OptimisticUpdate<T>,
  attempts = SESSION_WRITE_ATTEMPTS,
): Promise<T> {
  let session = update.loaded;
  for (let attempt = 1; ; attempt++) {
    const decision = await update.decide(session);
    if ("done" in decision) return decision.done;
    const saved = session ? await store.save(sessionId, { ...decision.write, expectedVersion: session.version }) : undefined;
    if (saved?.outcome === "saved") return decision.saved(saved.version);
    if (saved?.outcome === "missing") {
      session = null;
      continue;
    }
    if (attempt >= attempts) {
      if (update.contended) return update.contended();
      throw new SessionBusyError();
    }
    await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(Math.random() * 40 * attempt)));
    session = await store.load(sessionId);
  }
}
