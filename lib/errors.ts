/**
 * The typed HTTP errors, on the ground floor: domain, storage and HTTP code throw them, and only the HTTP chain
 * (lib/http) turns them into responses. This module imports nothing. Provider failures are lib/provider-error.ts
 * (apart, so that functions which never call a provider do not carry it).
 */

/** An error that the HTTP layer turns into a JSON response with a stable code. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly headers: Record<string, string>;
  /** Whether `message` may be shown to the client. 5xx errors never expose theirs. */
  readonly expose: boolean;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: unknown; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers ?? {};
    this.expose = status < 500 || status === 503;
  }
}

/** A field that failed validation: its path and what is wrong with it. */
export interface FieldIssue {
  field: string;
  message: string;
}

export class ValidationError extends HttpError {
  constructor(issues: FieldIssue[], message = "The request is invalid.") {
    super(400, "invalid_request", message, { details: { fields: issues } });
  }
}

export class MalformedJsonError extends HttpError {
  constructor() {
    super(400, "malformed_json", "The request body is not valid JSON.");
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor() {
    super(415, "unsupported_media_type", "The request body must be JSON in UTF-8 (Content-Type: application/json).");
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(limitBytes: number) {
    super(413, "payload_too_large", `The request body is larger than ${limitBytes} bytes.`, {
      details: { limitBytes },
    });
  }
}

export class MissingTokenError extends HttpError {
  constructor() {
    super(401, "missing_token", "An Authorization: Bearer <sessionToken> header is required.", {
      headers: { "WWW-Authenticate": "Bearer" },
    });
  }
}

/** Unknown session and wrong token are the same error on purpose: neither reveals that a session exists. */
export class SessionNotFoundError extends HttpError {
  constructor() {
    super(404, "session_not_found", "No session with this id for this token.");
  }
}

export class RouteNotFoundError extends HttpError {
  constructor() {
    super(404, "not_found", "No such resource.");
  }
}

export class ConflictError extends HttpError {
  constructor(code: string, message: string, options: { details?: unknown; retryAfterSeconds?: number } = {}) {
    super(409, code, message, {
      details: options.details,
      headers: options.retryAfterSeconds === undefined ? {} : { "Retry-After": String(options.retryAfterSeconds) },
    });
  }
}

/** An Idempotency-Key header that is not 16–255 visible ASCII characters (a UUID is the intended value). */
export class InvalidIdempotencyKeyError extends HttpError {
  constructor() {
    super(400, "invalid_idempotency_key", "The Idempotency-Key header must be 16 to 255 visible ASCII characters, such as a UUID.");
  }
}

/** The Idempotency-Key was used before for another request (another body or another endpoint). */
export class IdempotencyKeyReusedError extends HttpError {
  constructor() {
    super(422, "idempotency_key_reused", "This Idempotency-Key was used for a different request; send a new key for a new request.");
  }
}

/** The first request with this Idempotency-Key is still being answered. */
export class IdempotencyKeyInUseError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(409, "idempotency_key_in_use", "A request with this Idempotency-Key is still being answered; try again shortly.", {
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    });
  }
}

export class RateLimitedError extends HttpError {
  constructor(retryAfterSeconds: number) {
    super(429, "rate_limited", "Too many requests; try again later.", {
      headers: { "Retry-After": String(Math.max(1, Math.ceil(retryAfterSeconds))) },
      details: { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) },
    });
  }
}

/** A dependency (Redis, S3, DynamoDB, a provider) did not answer in time or failed. */
export class DependencyUnavailableError extends HttpError {
  readonly dependency: string;

  constructor(dependency: string, cause?: unknown) {
    super(503, "dependency_unavailable", "A service Hera depends on is unavailable; try again shortly.", {
      headers: { "Retry-After": "5" },
      details: { dependency },
      cause,
    });
    this.dependency = dependency;
  }
}
