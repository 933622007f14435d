import type { Profile } from "../interview/profile.ts";
import type { Locale } from "../sessions/model.ts";

/** The archived result of a completed session, as kept in DynamoDB. */
export interface ResultRecord {
  sessionId: string;
  tokenHash: string;
  locale: Locale;
  completedAt: string;
  profile: Profile;
  photoKey?: string;
  /** The confirmed type of the photo, which its URL is served as (absent from records archived before it was kept). */
  photoContentType?: string;
  partnerImageKey?: string;
  childImageKey?: string;
  /** Epoch seconds at which DynamoDB's TTL removes the record (RETENTION_DAYS after completion). */
  expiresAt: number;
}

/** Where results are archived; DynamoDB in production, a fake in unit tests. */
export interface ResultArchive {
  /** Writes the record unless one exists for the session; returns the record that is stored either way. */
  putOnce(record: ResultRecord): Promise<{ created: boolean; record: ResultRecord }>;
  /** The record of a session, or null. */
  get(sessionId: string): Promise<ResultRecord | null>;
  /** Deletes the record; false when there was none. */
  remove(sessionId: string): Promise<boolean>;
}
