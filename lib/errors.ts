/**
 * The typed HTTP errors, on the ground floor: domain, storage and HTTP code throw them, and only the HTTP chain
 * (lib/http) turns them into responses. This module imports nothing. Provider failures are lib/provider-error.ts
 * (apart, so that functions which never call a provider do not carry it).
 */

/** What the catalogue says of one error code: the status, the message people read, and what docs/api.md says. */
interface ErrorEntry {
  status: number;
  /** The default message (English, for people); a thrower may give a more precise one. */
  message: string;
  /** When the code is answered, for docs/api.md's error table. */
  when: string;
  /** The shape of `details`, for the same table. */
  details?: string;
  /** Seconds a client should wait before retrying, sent as `Retry-After`. */
  retryAfterSeconds?: number;
}

/**
 * Every error code of the API, defined once: its status, default message and `Retry-After`. The OpenAPI error schemas
 * (lib/schemas/errors.ts) and docs/api.md's error table (`npm run openapi`) are made from it.
 */
export const ERROR_CATALOGUE = {
  invalid_request: {
    status: 400,
    message: "The request is invalid.",
    when: "the body failed validation (a field missing, unknown, out of range), or a body was sent to a route that takes none",
    details: "`{fields: [{field, message}]}` (dotted paths; `body` for the whole body; one entry per unknown key)",
  },
  malformed_json: {
    status: 400,
    message: "The request body is not valid JSON.",
    when:
      "the body is not JSON, is not valid UTF-8 (or holds a raw U+FFFD, see Bodies above), names a key twice in one object at any " +
      "depth, or holds a `__proto__` / `constructor` / `prototype` key",
  },
  invalid_idempotency_key: {
    status: 400,
    message: "The Idempotency-Key header must be 16 to 255 visible ASCII characters, such as a UUID.",
    when: "the `Idempotency-Key` header is not 16–255 visible ASCII characters",
  },
  missing_token: {
    status: 401,
    message: "An Authorization: Bearer <sessionToken> header is required.",
    when: "no `Authorization: Bearer` header, or one whose token is malformed (the message says which; e.g. `<sessionToken>` copied literally)",
  },
  session_not_found: {
    status: 404,
    message: "No session with this id for this token.",
    when: "unknown session, wrong token, or an erased or expired one",
  },
  not_found: { status: 404, message: "No such resource.", when: "a picture name other than `user`, `partner`, `child`" },
  picture_not_ready: { status: 404, message: "The picture is not ready.", when: "the picture does not exist or is not ready yet" },
  session_completed: {
    status: 409,
    message: "This session is completed and can no longer change.",
    when: "the session is completed: no more messages, photos or pictures",
  },
  message_limit_reached: {
    status: 409,
    message: "The session took its last message.",
    when: "the session took `MAX_USER_MESSAGES` user messages",
    details: "`{limit}`",
  },
  session_busy: {
    status: 409,
    message: "The session is being changed by another request; try again.",
    when: "another request changed the session at the same moment, again and again",
    retryAfterSeconds: 1,
  },
  images_pending: {
    status: 409,
    message: "A picture is still being generated; complete once it is ready.",
    when: "completion while a picture is pending or running",
    details: '`{images: ["partner" \\| "child"]}`',
    retryAfterSeconds: 5,
  },
  precondition_failed: {
    status: 409,
    message: "The picture cannot be generated yet.",
    when: "the picture's inputs are not there yet (see [Pictures](#generated-pictures))",
    details: "`{missing: [...]}`",
  },
  profile_incomplete: {
    status: 409,
    message: "The profile is not complete yet.",
    when: "completion before the profile is complete",
    details: "`{missingFields: [...]}`",
  },
  idempotency_key_in_use: {
    status: 409,
    message: "A request with this Idempotency-Key is still being answered; try again shortly.",
    when: "the first request with the same `Idempotency-Key` is still running",
    retryAfterSeconds: 1,
  },
  payload_too_large: { status: 413, message: "The request body is too large.", when: "the body is over 16 KiB", details: "`{limitBytes}`" },
  unsupported_media_type: {
    status: 415,
    message: "The request body must be JSON in UTF-8 (Content-Type: application/json).",
    when: "a body (or a required one) not sent as `application/json`",
  },
  idempotency_key_reused: {
    status: 422,
    message: "This Idempotency-Key was used for a different request; send a new key for a new request.",
    when: "the `Idempotency-Key` was used before for a different request (another body or another route)",
  },
  rate_limited: {
    status: 429,
    message: "Too many requests; try again later.",
    when: "too many calls (see [Limits](#limits))",
    details: "`{retryAfterSeconds}`",
  },
  client_image_limit: {
    status: 429,
    message: "Too many new pictures from this address this hour; try again later.",
    when: "this client address asked for `IMAGE_JOBS_PER_CLIENT_PER_HOUR` new pictures this hour, across all its sessions",
    details: "`{limit, retryAfterSeconds}`",
  },
  client_chat_limit: {
    status: 429,
    message: "Too many messages from this address this hour; try again later.",
    when: "this client address sent `CHAT_TURNS_PER_CLIENT_PER_HOUR` messages this hour, across all its sessions",
    details: "`{limit, retryAfterSeconds}`",
  },
  internal_error: {
    status: 500,
    message: "Something went wrong on our side.",
    when: "a bug, or a deployment mistake such as a missing secret",
  },
  dependency_unavailable: {
    status: 503,
    message: "A service Hera depends on is unavailable; try again shortly.",
    when: "Redis, S3, DynamoDB, SSM, the rate limiter, the chat provider or the image worker did not answer within seconds",
    details: "`{dependency}`",
    retryAfterSeconds: 5,
  },
  image_budget_exhausted: {
    status: 503,
    message: "The service takes no more new pictures today; try again after the reset.",
    when: "the stage started its `IMAGE_JOBS_PER_DAY` new pictures this UTC day; `Retry-After` is the time to the next day",
    details: "`{retryAfterSeconds}`",
  },
  chat_budget_exhausted: {
    status: 503,
    message: "The service takes no more messages today; try again after the reset.",
    when: "the stage answered its `CHAT_TURNS_PER_DAY` messages this UTC day; `Retry-After` is the time to the next day",
    details: "`{retryAfterSeconds}`",
  },
  images_paused: {
    status: 503,
    message: "Pictures are not being made right now; try again later.",
    when: 'the operator switched picture generation off; a job that was queued fails with `error: "images_paused"`',
    // The operator's switch has no schedule: ten minutes is a wait a person accepts and a client does not hammer.
    retryAfterSeconds: 600,
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** Each code by name (`ERROR_CODE.session_busy`), so that no other module spells a code as a string. */
export const ERROR_CODE = Object.fromEntries(Object.keys(ERROR_CATALOGUE).map((code) => [code, code])) as {
  readonly [Code in ErrorCode]: Code;
};

/** The catalogue's entry of a code. */
export function errorEntry(code: ErrorCode): ErrorEntry {
  return ERROR_CATALOGUE[code];
}

/** An error that the HTTP layer turns into a JSON response with a stable code. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  /** Whether `message` may be shown to the client. 5xx errors never expose theirs. */
  readonly expose: boolean;

  constructor(
    code: ErrorCode,
    options: { message?: string; details?: unknown; headers?: Record<string, string>; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    const entry = errorEntry(code);
    super(options.message ?? entry.message, { cause: options.cause });
    this.name = new.target.name;
    this.status = entry.status;
    this.code = code;
    this.details = options.details;
    const retryAfter = options.retryAfterSeconds ?? entry.retryAfterSeconds;
    this.headers = {
      ...(retryAfter === undefined ? {} : { "Retry-After": String(Math.max(1, Math.ceil(retryAfter))) }),
      ...options.headers,
    };
    this.expose = this.status < 500 || this.status === 503;
  }
}

/** A field that failed validation: its path and what is wrong with it. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends HttpError {
  constructor(issues: FieldIssue[], message?: string) {
    super(ERROR_CODE.invalid_request, { message, details: { fields: issues } });
  }
}

export class MalformedJsonError extends HttpError {
  constructor(message?: string) {
    super(ERROR_CODE.malformed_json, message ? { message } : {});
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(ERROR_CODE.unsupported_media_type);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(ERROR_CODE.payload_too_large, { message: `The request body is larger than ${limitBytes} bytes.`, details: { limitBytes } });
  }
}

/** No usable bearer token: no Authorization header, or one that is not `Bearer ` and a well-formed token. */
export class MissingTokenError extends HttpError {
  constructor(header: "absent" | "malformed" = "absent") {
    super(ERROR_CODE.missing_token, {
      headers: { "WWW-Authenticate": "Bearer" },
      ...(header === "malformed"
        ? {
            message:
              'The Authorization header is malformed: send "Bearer " followed by the sessionToken that POST /api/sessions returned, not a placeholder.',
          }
        : {}),
    });
  }
}

/** Unknown session and wrong token are the same error on purpose: neither reveals that a session exists. */
export class SessionNotFoundError extends HttpError {
  constructor() {
    super(ERROR_CODE.session_not_found);
  }
}

export class RouteNotFoundError extends HttpError {
  constructor() {
    super(ERROR_CODE.not_found);
  }
}

export class PictureNotReadyError extends HttpError {
  constructor(name: string) {
    super(ERROR_CODE.picture_not_ready, { message: `The ${name} picture is not ready.` });
  }
}

/** A 409: the request does not fit the session's state. */
export class ConflictError extends HttpError {}

/** The session is completed: nothing of it can change any more. */
export class SessionCompletedError extends ConflictError {
  constructor() {
    super(ERROR_CODE.session_completed);
  }
}

/** Every attempt of an optimistic write lost to another writer. */
export class SessionBusyError extends ConflictError {
  constructor() {
    super(ERROR_CODE.session_busy);
  }
}

export class MessageLimitError extends ConflictError {
  constructor(limit: number) {
    super(ERROR_CODE.message_limit_reached, { message: `A session takes at most ${limit} messages.`, details: { limit } });
  }
}

export class ProfileIncompleteError extends ConflictError {
  constructor(missingFields: readonly string[]) {
    super(ERROR_CODE.profile_incomplete, { details: { missingFields } });
  }
}

export class ImagesPendingError extends ConflictError {
  constructor(images: readonly string[]) {
    super(ERROR_CODE.images_pending, { details: { images } });
  }
}

export class PreconditionFailedError extends ConflictError {
  constructor(kind: string, missing: readonly string[]) {
    super(ERROR_CODE.precondition_failed, { message: `The ${kind} picture cannot be generated yet.`, details: { missing } });
  }
}

/** An Idempotency-Key header that is not 16–255 visible ASCII characters (a UUID is the intended value). */
export class InvalidIdempotencyKeyError extends HttpError {
  constructor() {
    super(ERROR_CODE.invalid_idempotency_key);
  }
}

/** The Idempotency-Key was used before for another request (another body or another endpoint). */
export class IdempotencyKeyReusedError extends HttpError {
  constructor() {
    super(ERROR_CODE.idempotency_key_reused);
  }
}

/** The first request with this Idempotency-Key is still being answered. */
export class IdempotencyKeyInUseError extends ConflictError {
  constructor(retryAfterSeconds: number) {
    super(ERROR_CODE.idempotency_key_in_use, { retryAfterSeconds });
  }
}

export class RateLimitedError extends HttpError {
  constructor(retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(ERROR_CODE.rate_limited, { retryAfterSeconds: seconds, details: { retryAfterSeconds: seconds } });
  }
}

/** A bug or a deployment mistake; its message is never shown. */
export class InternalError extends HttpError {
  constructor(cause?: unknown) {
    super(ERROR_CODE.internal_error, { cause });
  }
}

/** What a per-client cap or a stage budget counts: new image jobs, or chat turns. */
export type SpendKind = "image" | "chat";

const whatIsSpent = (kind: SpendKind) => (kind === "image" ? "new pictures" : "messages");

/** One client address spent its hour's allowance of image jobs or chat turns, across all of its sessions. */
export class ClientLimitError extends HttpError {
  constructor(kind: SpendKind, limit: number, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(kind === "image" ? ERROR_CODE.client_image_limit : ERROR_CODE.client_chat_limit, {
      message: `Too many ${whatIsSpent(kind)} from this address this hour; try again later.`,
      retryAfterSeconds: seconds,
      details: { limit, retryAfterSeconds: seconds },
    });
  }
}

/** The stage spent its day's budget of image jobs or chat turns: nobody gets more until the next UTC day. */
export class StageBudgetError extends HttpError {
  constructor(kind: SpendKind, retryAfterSeconds: number) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super(kind === "image" ? ERROR_CODE.image_budget_exhausted : ERROR_CODE.chat_budget_exhausted, {
      message: `The service takes no more ${whatIsSpent(kind)} today; try again after the reset.`,
      retryAfterSeconds: seconds,
      details: { retryAfterSeconds: seconds },
    });
  }
}

/** The operator switched image generation off for this stage (lib/switches.ts). */
export class ImagesPausedError extends HttpError {
  constructor() {
    super(ERROR_CODE.images_paused);
  }
}

/** A dependency (Redis, S3, DynamoDB, a provider) did not answer in time or failed. */
export class DependencyUnavailableError extends HttpError {
  readonly dependency: string;

  constructor(dependency: string, cause?: unknown) {
    super(ERROR_CODE.dependency_unavailable, { details: { dependency }, cause });
    this.dependency = dependency;
  }
}
