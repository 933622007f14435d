import type { Profile } from "../interview/profile.ts";

import type { ImageKind } from "../schemas/images.ts";
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
  contentType: string;
  key: string;
  size?: number;
  reason?: string;
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
  partnerImage?: ImageState | null;
  childImage?: ImageState | null;
}

/** One write to a session: fields to set and messages to append, applied atomically with the TTL refresh. */
export interface SessionChange {
  /** When given, the write applies only if the session is still at this version. */
  expectedVersion?: number;
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
}

/** The session field that holds the job of one kind of picture. */
export function imageFields(kind: ImageKind, state: ImageState | null): SessionFields {
  const field: `${ImageKind}Image` = `${kind}Image`;
  return { [field]: state };
}
