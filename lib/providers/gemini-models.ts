// The Gemini models the product uses unless a stage says otherwise (`params.<stage>.chatModel` / `imageModel` in
// serverless.yml, CHAT_MODEL / IMAGE_MODEL locally). Google retires models on a schedule, so these are checked
// against its model list and deprecations page, not remembered: see docs/providers.md for how to check again.
// Kept apart from the providers so that the configuration can name them without loading either adapter.

/** The date the defaults below were last checked against Google's model list and deprecations page. */
export const GEMINI_MODELS_CHECKED_ON = "2026-12-01";

/**
 * The interviewer's default: Gemini 3.5 Flash-Lite, generally available since 2026-07-21, no shutdown date announced;
 * Google names it the replacement for gemini-2.5-flash, for new projects, and for JSON extraction at minimal thinking.
 */
export const DEFAULT_CHAT_MODEL = "gemini-3.5-flash-lite";

/**
 * The image default: Nano Banana 2.1, generally available since 2026-10-06, no shutdown date announced; Google names it
 * the migration target of gemini-3.1-flash-image (deprecated that day), itself the successor of gemini-2.5-flash-image.
 */
export const DEFAULT_IMAGE_MODEL = "gemini-nano-banana-2.1";

/** What a model setting must look like (`gemini-3.5-flash-lite`, `models/…`): a typo fails at start-up, not per call. */
export const GEMINI_MODEL_NAME = /^(?:models\/)?[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
