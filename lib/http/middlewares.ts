import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import * as contentType from "content-type";
import { visit } from "jsonc-parser";
import * as z from "../schemas/zod.ts";
import { describeIssue } from "../schemas/issue-messages.ts";
import { describeError, logger } from "../observability/logger.ts";
import { countMetric } from "../observability/metrics.ts";
import {
  DependencyUnavailableError,
  HttpError,
  InternalError,
  MalformedJsonError,
  PayloadTooLargeError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../errors.ts";
import { MissingSecretError, SecretConfigurationError, type SecretLoader } from "../secrets.ts";
import { ReplayedAnswer } from "./idempotency.ts";
import type { HttpEvent, HttpResponse } from "./types.ts";

/** The largest JSON body any endpoint accepts (docs/api.md, Limits). */
export const MAX_BODY_BYTES = 16 * 1024;

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json$/;

/**
 * Whether a Content-Type declares JSON that is read as UTF-8: `application/json` or `application/*+json`, with no
 * charset or a label of UTF-8 (WHATWG's, as TextDecoder knows them: `utf-8`, `utf8`, …). A body declared in another
 * charset would be mis-decoded, so it is refused (415) rather than guessed at.
 */
export function isUtf8Json(header: string | undefined): boolean {
  let parsed: contentType.ParsedMediaType;
  try {
    parsed = contentType.parse(header ?? "");
  } catch {
    return false;
  }
  if (!JSON_MEDIA_TYPE.test(parsed.type)) return false;
  const charset = parsed.parameters.charset;
  if (charset === undefined) return true;
  try {
    return new TextDecoder(charset).encoding === "utf-8";
  } catch {
    return false;
  }
}
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/** Parses a JSON body (415 wrong type, 413 too large, 400 malformed) and validates it with a zod schema (400). */
export function jsonBody(options: {
  schema: z.core.$ZodType | undefined;
  optional: boolean;
  maxBytes: number;
}): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  return {
    name: "jsonBody",
    before: (request) => {
      const { event } = request;
      const raw = rawBody(event);
      if (raw === undefined) {
        if (!options.schema) return;
        if (!options.optional) {
          if (!isUtf8Json(event.headers?.["content-type"])) throw new UnsupportedMediaTypeError();
          throw new ValidationError([{ field: "body", message: "A JSON body is required." }]);
        }
        event.body = validate(options.schema, undefined);
        return;
      }
      if (raw.byteLength > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
      if (!isUtf8Json(event.headers?.["content-type"])) throw new UnsupportedMediaTypeError();
      if (!options.schema) throw new ValidationError([{ field: "body", message: "This request takes no body." }]);
      event.body = validate(options.schema, parseStrictJson(raw, { decodedByGateway: !event.isBase64Encoded }));
    },
  };
}

/** The body's bytes as they were sent: API Gateway hands them over as text, or base64-encoded. */
export function rawBody(event: HttpEvent): Uint8Array | undefined {
  if (event.body === undefined || event.body === null || event.body === "") return undefined;
  if (typeof event.body !== "string") return Buffer.from(JSON.stringify(event.body), "utf8");
  return Buffer.from(event.body, event.isBase64Encoded ? "base64" : "utf8");
}

/**
 * Parses a JSON body exactly as sent, or refuses it (400 `malformed_json`): bytes that are not UTF-8 are never
 * replaced by U+FFFD, and an object that names a key twice is not resolved by letting the last one win.
 */
export function parseStrictJson(bytes: Uint8Array, options: { decodedByGateway: boolean }): unknown {
  const text = decodeUtf8(bytes, options.decodedByGateway);
  let value: unknown;
  try {
    value = JSON.parse(text, (key, parsed: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError("forbidden key");
      return parsed;
    });
  } catch {
    throw new MalformedJsonError();
  }
  if (firstRepeatedKey(text) !== undefined) throw new MalformedJsonError("The request body names a key twice in one object.");
  return value;
}

// `ignoreBOM` keeps a byte order mark in the text, where JSON.parse refuses it: JSON sent over a network has none.
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const REPLACEMENT_CHARACTER = "\uFFFD";

function decodeUtf8(bytes: Uint8Array, decodedByGateway: boolean): string {
  let text: string;
  try {
    text = UTF8.decode(bytes);
  } catch {
    throw new MalformedJsonError("The request body is not valid UTF-8.");
  }
  // A body the gateway passed as text was decoded there, and bytes that were not UTF-8 became U+FFFD (as
  // serverless-offline does): the character itself is refused, so that such a body is never stored as if it had been
  // sent. A client that means U+FFFD can send it escaped (\ufffd), which is JSON's own spelling and passes.
  if (decodedByGateway && text.includes(REPLACEMENT_CHARACTER)) {
    throw new MalformedJsonError("The request body is not valid UTF-8.");
  }
  return text;
}

/**
 * The first key that an object of the (valid) JSON text names twice, at any depth, compared after unescaping as
 * JSON.parse compares them. jsonc-parser's visitor walks the text without building a second value.
 */
export function firstRepeatedKey(text: string): string | undefined {
  const open: Set<string>[] = [];
  let repeated: string | undefined;
  visit(
    text,
    {
      onObjectBegin: () => {
        open.push(new Set());
      },
      onObjectEnd: () => {
        open.pop();
      },
      onObjectProperty: (property) => {
        const keys = open.at(-1);
        if (!keys) return;
        if (keys.has(property)) repeated ??= property;
        keys.add(property);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return repeated;
}

/**
 * Validates a value with a schema, turning every issue into a named field of a 400: its dotted path (`body` for the
 * whole body), and what was expected and the type received (lib/schemas/issue-messages.ts). Each unknown key is a
 * field of its own.
 */
export function validate<Schema extends z.core.$ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = z.safeParse(schema, value, { error: describeIssue });
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.flatMap((issue) => {
      const path = issue.path.map(String);
      if (issue.code !== "unrecognized_keys") return [{ field: path.join(".") || "body", message: issue.message }];
      return issue.keys.map((key) => ({ field: [...path, key].join("."), message: issue.message }));
    }),
  );
}

/** Checks the path parameters a route declares (beyond the session id): an unknown value is 404 `not_found`. */
export function pathParameters(
  schemas: Record<string, z.core.$ZodType> | undefined,
): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  return {
    name: "pathParameters",
    before: (request) => {
      for (const [name, schema] of Object.entries(schemas ?? {})) {
        if (!z.safeParse(schema, request.event.pathParameters?.[name]).success) throw new RouteNotFoundError();
      }
    },
  };
}

/**
 * The headers that keep every answer of this API from being run or framed as a page: `Content-Security-Policy:
 * default-src 'none'; frame-ancestors 'none'` and `X-Frame-Options: DENY`. @middy/http-security-headers sets them on
 * text/html answers only; a JSON answer that a browser is tricked into rendering (or a frame) must get nothing either.
 */
export const ANSWER_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
  "X-Frame-Options": "DENY",
};

/** Adds ANSWER_SECURITY_HEADERS to every answer, success or error, keeping what the answer already says. */
export function answerSecurityHeaders(): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  const add = (request: { response?: HttpResponse | null }) => {
    const response = request.response;
    if (!response) return;
    const present = new Set(Object.keys(response.headers ?? {}).map((name) => name.toLowerCase()));
    const missing = Object.entries(ANSWER_SECURITY_HEADERS).filter(([name]) => !present.has(name.toLowerCase()));
    response.headers = { ...response.headers, ...Object.fromEntries(missing) };
  };
  return { name: "answerSecurityHeaders", after: add, onError: add };
}

/** Last in the chain: every error becomes the JSON error shape; anything not an HttpError is a generic 500. */
export function errorHandler(): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  return {
    name: "errorHandler",
    onError: (request) => {
      if (request.error instanceof ReplayedAnswer) {
        request.response = request.error.response;
        return;
      }
      const error = toHttpError(request.error);
      if (error.status >= 500) {
        logger.error("request failed", { status: error.status, ...describeError(request.error) });
        if (error instanceof DependencyUnavailableError) countMetric("DependencyErrors");
      } else {
        logger.info("request refused", { status: error.status, code: error.code });
      }
      request.response = {
        statusCode: error.status,
        headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store", ...error.headers },
        body: JSON.stringify({
          error: {
            code: error.code,
            message: error.expose ? error.message : "Something went wrong on our side.",
            ...(error.details === undefined || !error.expose ? {} : { details: error.details }),
          },
          requestId: request.context.awsRequestId,
        }),
      };
    },
  };
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // middy's own errors (e.g. the early-timeout abort) carry a status but not our shape.
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === "number" && status === 413) return new PayloadTooLargeError(MAX_BODY_BYTES);
  if (typeof status === "number" && status >= 400 && status < 500) return new ValidationError([], "The request could not be processed.");
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new DependencyUnavailableError("timeout", error);
  }
  return new InternalError(error);
}

/**
 * Loads the function's secrets before the handler, on the cold start (warm invocations pass at once).
 * A failed read of the parameter store ends the request as a 503 and is retried by the next invocation.
 */
export function loadSecretsFirst<Event, Result, LambdaContext extends Context = Context>(
  loader: Pick<SecretLoader, "load">,
): MiddlewareObj<Event, Result, Error, LambdaContext> {
  return {
    name: "loadSecrets",
    before: async () => {
      try {
        await loader.load();
      } catch (error) {
        // A deployment mistake (a 500), not an outage: say which secret and parameter, never a value.
        if (error instanceof SecretConfigurationError) {
          const parameter = error instanceof MissingSecretError ? error.parameter : undefined;
          logger.error("secrets misconfigured", { errorName: error.name, secrets: error.secrets, parameter });
          throw error;
        }
        logger.error("secrets could not be read", describeError(error));
        throw new DependencyUnavailableError("secrets", error);
      }
    },
  };
}
