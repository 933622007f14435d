import { imageKind } from "./images.ts";
import { profileField } from "./responses.ts";
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
export const invalidRequestError = errorResponse(["invalid_request"], z.strictObject({ fields: z.array(fieldIssueBody) }));

/** 400: the body is not valid JSON (or holds a `__proto__`, `constructor` or `prototype` key). */
export const malformedJsonError = errorResponse(["malformed_json"]);

/** 401: no `Authorization: Bearer <sessionToken>` header. */
export const missingTokenError = errorResponse(["missing_token"]);

/** 404: no session with this id for this token (an unknown session and a wrong token are indistinguishable). */
export const sessionNotFoundError = errorResponse(["session_not_found"]);

/** 404: no such picture name (`not_found`), or the picture is not ready (`picture_not_ready`). */
export const pictureNotFoundError = errorResponse(["not_found", "picture_not_ready"]);

/** 409: the session is completed and can no longer change. */
export const sessionCompletedError = errorResponse(["session_completed"]);

/** 409: another request changed the session at the same moment; retry after `Retry-After` seconds. */
export const sessionBusyError = errorResponse(["session_busy"]);

/** 409: the session took its last user message. */
export const messageLimitError = errorResponse(["message_limit_reached"], z.strictObject({ limit: z.int() }));

/** 409: the profile lacks what completion needs; `details.missingFields` says what. */
export const profileIncompleteError = errorResponse(["profile_incomplete"], z.strictObject({ missingFields: z.array(profileField) }));

/** 409: a picture is still being generated; complete after `Retry-After` seconds (`details.images` names which). */
export const imagesPendingError = errorResponse(["images_pending"], z.strictObject({ images: z.array(imageKind) }));

/** 409: the picture cannot be generated yet; `details.missing` names what it needs (e.g. `photo`, `partner.name`). */
export const preconditionFailedError = errorResponse(["precondition_failed"], z.strictObject({ missing: z.array(z.string()) }));

/** 400: the Idempotency-Key header is not 16–255 visible ASCII characters. */
export const invalidIdempotencyKeyError = errorResponse(["invalid_idempotency_key"]);

/** 409: the first request with this Idempotency-Key is still being answered; retry after `Retry-After` seconds. */
export const idempotencyKeyInUseError = errorResponse(["idempotency_key_in_use"]);

/** 422: the Idempotency-Key was used before for a different request (another body or another route). */
export const idempotencyKeyReusedError = errorResponse(["idempotency_key_reused"]);

/** 413: the body is larger than `details.limitBytes`. */
export const payloadTooLargeError = errorResponse(["payload_too_large"], z.strictObject({ limitBytes: z.int() }));

/** 415: the body is not sent as `Content-Type: application/json`. */
export const unsupportedMediaTypeError = errorResponse(["unsupported_media_type"]);

/** 429: too many calls; retry after `Retry-After` (also `details.retryAfterSeconds`) seconds. */
export const rateLimitedError = errorResponse(["rate_limited"], z.strictObject({ retryAfterSeconds: z.int().check(z.minimum(1)) }));

/** 503: a dependency is down, slow or failing; nothing was half-applied, retry after `Retry-After` seconds. */
export const dependencyUnavailableError = errorResponse(["dependency_unavailable"], z.strictObject({ dependency: z.string() }));

/** 500: a bug or a deployment mistake; the message never says more than that. */
export const internalError = errorResponse(["internal_error"]);
