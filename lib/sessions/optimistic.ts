import { setTimeout as sleep } from "node:timers/promises";
import type { Session, SessionChange, SessionStore } from "./model.ts";

/**
 * What one pass of an optimistic update decided on the session as read: write a change (applied only while the
 * session is still at the version read) and then answer `saved`, or answer `done` without writing.
 */
export type UpdateDecision<T> = { write: Omit<SessionChange, "expectedVersion">; saved: (version: number) => T | Promise<T> } | { done: T };

export interface OptimisticUpdate<T> {
  /** The session as the caller already read it (null when gone); loaded first when left out. */
  loaded?: Session | null;
  /** Decides on the session as read; called again on the fresh session after another writer got in first. */
  decide(session: Session | null): UpdateDecision<T> | Promise<UpdateDecision<T>>;
  /** The answer when the session vanished between the read and the write (may throw). */
  missing(): T;
  /** The answer when every attempt lost to another writer (may throw). */
  contended(): T;
}

/** How often an update is decided again after losing a race, and how long it waits before the next read. */
export interface RetryPolicy {
  attempts: number;
  /** Milliseconds before attempt `attempt` (1-based for the retries). */
  backoffMs(attempt: number): number;
}

/**
 * The one policy of every read–decide–write loop: eight attempts, with a jittered back-off that grows with each
 * one so that racing writers do not collide again in lockstep (at most ~1.5 s in all).
 */
export const SESSION_WRITE_POLICY: RetryPolicy = {
  attempts: 8,
  backoffMs: (attempt) => 10 + Math.floor(Math.random() * 40 * attempt),
};

/**
 * Reads a session, decides, and writes with `expectedVersion`: the store applies a write only at the version it was
 * decided on, so of two racing writers one wins and the other reads again and decides again. This is what makes
 * parallel requests one image job, a twice-delivered event one run and a message turn never lose another's write.
 */
export async function updateSession<T>(
  store: Pick<SessionStore, "load" | "save">,
  sessionId: string,
  update: OptimisticUpdate<T>,
  policy: RetryPolicy = SESSION_WRITE_POLICY,
): Promise<T> {
  let session = update.loaded === undefined ? await store.load(sessionId) : update.loaded;
  for (let attempt = 0; attempt < policy.attempts; attempt++) {
    if (attempt > 0) {
      await sleep(policy.backoffMs(attempt));
      session = await store.load(sessionId);
    }
    const decision = await update.decide(session);
    if ("done" in decision) return decision.done;
    if (!session) return update.missing();
    const saved = await store.save(sessionId, { ...decision.write, expectedVersion: session.version });
    if (saved.outcome === "saved") return decision.saved(saved.version);
    if (saved.outcome === "missing") return update.missing();
  }
  return update.contended();
}
