import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import * as contentType from "content-type";
import * as z from "../schemas/zod.ts";
import { describeError, logger } from "../observability/logger.ts";
import { countMetric } from "../observability/metrics.ts";
import {
  DependencyUnavailableError,
  HttpError,
  MalformedJsonError,
  PayloadTooLargeError,
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
      if (Buffer.byteLength(raw, "utf8") > options.maxBytes) throw new PayloadTooLargeError(options.maxBytes);
      if (!isUtf8Json(event.headers?.["content-type"])) throw new UnsupportedMediaTypeError();
      if (!options.schema) throw new ValidationError([{ field: "body", message: "This request takes no body." }]);
      event.body = validate(options.schema, parseJson(raw));
    },
  };
}

/** The body of an event as the client sent it (base64 decoded), or undefined when there is none. */
export function rawBody(event: HttpEvent): string | undefined {
  if (event.body === undefined || event.body === null || event.body === "") return undefined;
  if (typeof event.body !== "string") return JSON.stringify(event.body);
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new SyntaxError("forbidden key");
      return value;
    });
  } catch {
    throw new MalformedJsonError();
  }
}

/** Validates a value with a schema, turning every issue into a named field of a 400. */
export function validate<Schema extends z.core.$ZodType>(schema: Schema, value: unknown): z.output<Schema> {
  const parsed = z.safeParse(schema, value);
  if (parsed.success) return parsed.data;
  throw new ValidationError(
    parsed.error.issues.map((issue) => {
      const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
      const path = [...issue.path.map(String), ...(keys.length === 1 ? keys : [])].join(".");
      return { field: path || "body", message: issue.message };
    }),
  );
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
  if (typeof status === "number" && status >= 400 && status < 500) {
    return new HttpError(status, "bad_request", "The request could not be processed.");
  }
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return new DependencyUnavailableError("timeout", error);
  }
  return new HttpError(500, "internal_error", "Something went wrong on our side.");
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
