import { imageKind } from "./images.ts";
import { profileField } from "./responses.ts";
import { ERROR_CODE } from "../errors.ts";
import * as z from "./zod.ts";

// The body of every non-2xx answer: `{error: {code, message, details?}, requestId}` (lib/http/middlewares.ts builds
// it from the typed errors of lib/errors.ts). One schema per code, or per family of codes that share their
// details, so that each route's OpenAPI entry lists exactly the codes it can answer with and a client can switch on
// `error.code` with typed `details`.

const message = z.string().check(z.meta({ description: "For people (English); the code is what a program reads." }));
const requestId = z.string().check(z.meta({ description: "The Lambda request id, to find the request in the logs." }));

function errorResponse<const Code extends string>(codes: readonly [Code, ...Code[]]): ReturnType<typeof bareError<Code>>;
function errorResponse<const Code extends string, Details extends z.core.$ZodType>(
  codes: readonly [Code, ...Code[]],
  details: Details,
): ReturnType<typeof detailedError<Code, Details>>;
function errorResponse(codes: readonly [string, ...string[]], details?: z.core.$ZodType) {
  return details ? detailedError(codes, details) : bareError(codes);
}

function bareError<const Code extends string>(codes: readonly [Code, ...Code[]]) {
  return z.strictObject({ error: z.strictObject({ code: z.enum(codes), message }), requestId });
}

function detailedError<const Code extends string, Details extends z.core.$ZodType>(codes: readonly [Code, ...Code[]], details: Details) {
  return z.strictObject({ error: z.strictObject({ code: z.enum(codes), message, details }), requestId });
}

/** One field that failed validation: its dotted path (`body` for the whole body) and what is wrong with it. */
export const fieldIssueBody = z.strictObject({ field: z.string(), message: z.string() });

/** 400: the body (or a path parameter) failed validation; `details.fields` names each field. */
export const invalidRequestError = errorResponse([ERROR_CODE.invalid_request], z.strictObject({ fields: z.array(fieldIssueBody) }));

/** 400: the body is not valid JSON (or holds a `__proto__`, `constructor` or `prototype` key). */
export const malformedJsonError = errorResponse([ERROR_CODE.malformed_json]);

/** 401: no `Authorization: Bearer <sessionToken>` header, or one whose token is malformed. */
export const missingTokenError = errorResponse([ERROR_CODE.missing_token]);

/** 404: no session with this id for this token (an unknown session and a wrong token are indistinguishable). */
export const sessionNotFoundError = errorResponse([ERROR_CODE.session_not_found]);

/** 404: no such picture name (`not_found`), or the picture is not ready (`picture_not_ready`). */
export const pictureNotFoundError = errorResponse([ERROR_CODE.not_found, ERROR_CODE.picture_not_ready]);

/** 409: the session is completed and can no longer change. */
export const sessionCompletedError = errorResponse([ERROR_CODE.session_completed]);

/** 409: another request changed the session at the same moment; retry after `Retry-After` seconds. */
export const sessionBusyError = errorResponse([ERROR_CODE.session_busy]);

/** 409: the session took its last user message. */
export const messageLimitError = errorResponse([ERROR_CODE.message_limit_reached], z.strictObject({ limit: z.int() }));

/** 409: the profile lacks what completion needs; `details.missingFields` says what. */
export const profileIncompleteError = errorResponse(
  [ERROR_CODE.profile_incomplete],
  z.strictObject({ missingFields: z.array(profileField) }),
);

/** 409: a picture is still being generated; complete after `Retry-After` seconds (`details.images` names which). */
export const imagesPendingError = errorResponse([ERROR_CODE.images_pending], z.strictObject({ images: z.array(imageKind) }));

/** 409: the picture cannot be generated yet; `details.missing` names what it needs (e.g. `photo`, `partner.name`). */
export const preconditionFailedError = errorResponse([ERROR_CODE.precondition_failed], z.strictObject({ missing: z.array(z.string()) }));

/** 400: the Idempotency-Key header is not 16–255 visible ASCII characters. */
export const invalidIdempotencyKeyError = errorResponse([ERROR_CODE.invalid_idempotency_key]);

/** 409: the first request with this Idempotency-Key is still being answered; retry after `Retry-After` seconds. */
export const idempotencyKeyInUseError = errorResponse([ERROR_CODE.idempotency_key_in_use]);

/** 422: the Idempotency-Key was used before for a different request (another body or another route). */
export const idempotencyKeyReusedError = errorResponse([ERROR_CODE.idempotency_key_reused]);

/** 413: the body is larger than `details.limitBytes`. */
export const payloadTooLargeError = errorResponse([ERROR_CODE.payload_too_large], z.strictObject({ limitBytes: z.int() }));

/** 415: the body is not sent as `Content-Type: application/json`. */
export const unsupportedMediaTypeError = errorResponse([ERROR_CODE.unsupported_media_type]);

/** 429: too many calls; retry after `Retry-After` (also `details.retryAfterSeconds`) seconds. */
export const rateLimitedError = errorResponse(
  [ERROR_CODE.rate_limited],
  z.strictObject({ retryAfterSeconds: z.int().check(z.minimum(1)) }),
);

const retryAfterSeconds = z.int().check(z.minimum(1));

/** 429: this client address asked for too many pictures this hour, across all its sessions (`details.limit`). */
export const clientImageLimitError = errorResponse([ERROR_CODE.client_image_limit], z.strictObject({ limit: z.int(), retryAfterSeconds }));

/** 429: this client address sent too many messages this hour, across all its sessions (`details.limit`). */
export const clientChatLimitError = errorResponse([ERROR_CODE.client_chat_limit], z.strictObject({ limit: z.int(), retryAfterSeconds }));

/** 503: the stage made all the pictures its daily budget allows; retry after `Retry-After` (the next UTC day). */
export const imageBudgetError = errorResponse([ERROR_CODE.image_budget_exhausted], z.strictObject({ retryAfterSeconds }));

/** 503: the stage answered all the messages its daily budget allows; retry after `Retry-After` (the next UTC day). */
export const chatBudgetError = errorResponse([ERROR_CODE.chat_budget_exhausted], z.strictObject({ retryAfterSeconds }));

/** 503: the operator switched picture generation off for now; retry after `Retry-After`. */
export const imagesPausedError = errorResponse([ERROR_CODE.images_paused]);

/** 503: a dependency is down, slow or failing; nothing was half-applied, retry after `Retry-After` seconds. */
export const dependencyUnavailableError = errorResponse([ERROR_CODE.dependency_unavailable], z.strictObject({ dependency: z.string() }));

/** 500: a bug or a deployment mistake; the message never says more than that. */
export const internalError = errorResponse([ERROR_CODE.internal_error]);
