import { ProviderError } from "../provider-error.ts";
import type { Locale } from "../schemas/sessions.ts";
import type { Profile, ProfileField } from "./profile.ts";

export interface ChatMessage {
  role: "user" | "assistant";
  text: string;
}

export interface ChatTurnInput {
  locale: Locale;
  /** The stored profile before this turn. */
  profile: Profile;
  /** Earlier messages of the session, oldest first, without the current `text`. */
  history: ChatMessage[];
  /** The user's current message. */
  text: string;
}

export interface ChatTurnResult {
  /** What the interviewer says next (in the session's locale). */
  reply: string;
  /**
   * Only valid values that change the profile; apply with `mergeProfile`. Composite fields
   * are deltas: `personality`/`partner` carry the keys this message set, `children` the
   * children this message named (merged by name).
   */
  extracted: Partial<Profile>;
  /** Top-level names of the fields in `extracted`, in `PROFILE_FIELDS` order (e.g. `["personality"]`). */
  extractedFields: ProfileField[];
}

export interface ChatProvider {
  /** The interviewer's opening question for a new session. */
  firstQuestion(input: { locale: Locale; profile: Profile }): Promise<string>;
  /** One interview turn: parse the user's answer, say what to ask next. */
  reply(input: ChatTurnInput, signal?: AbortSignal): Promise<ChatTurnResult>;
}

/**
 * Stable error codes, for the log line of a failed turn (each ends the request with a 503 today):
 * - `chat_provider_unavailable`: the model could not be reached, failed (5xx), timed out or was aborted;
 * - `chat_provider_rate_limited`: a quota or rate limit (429) outlasted the retries;
 * - `chat_provider_rejected_request`: the API refused the request itself (400/401/403: a bad key, billing, a parameter);
 * - `chat_model_unavailable`: the configured model is gone (404): CHAT_MODEL must change;
 * - `chat_provider_refused`: the model declined (a block or safety finish reason);
 * - `chat_provider_bad_response`: it answered something unusable (not JSON, off-schema, cut off at MAX_TOKENS).
 */
export type ChatProviderErrorCode =
  | "chat_provider_unavailable"
  | "chat_provider_rate_limited"
  | "chat_provider_rejected_request"
  | "chat_model_unavailable"
  | "chat_provider_refused"
  | "chat_provider_bad_response";

/**
 * A chat provider failure. Messages never contain user text, profile values or model output,
 * so the error is safe to log.
 */
export class ChatProviderError extends ProviderError<ChatProviderErrorCode> {
  override readonly name = "ChatProviderError";
}
