import middy from "@middy/core";
import httpHeaderNormalizer from "@middy/http-header-normalizer";
import httpSecurityHeaders from "@middy/http-security-headers";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context } from "aws-lambda";
import type * as z from "../schemas/zod.ts";
import { logger } from "../observability/logger.ts";
import { metrics } from "../observability/metrics.ts";
import { getConfig } from "../wiring/config.ts";
import { processSecrets } from "../wiring/secrets.ts";
import type { IdempotencyStore } from "../sessions/idempotency-records.ts";
import { exchangeOf, idempotencyKey } from "./idempotency.ts";
import { errorHandler, jsonBody, loadSecretsFirst, MAX_BODY_BYTES, rawBody } from "./middlewares.ts";
import type { HttpEvent, HttpRequest, HttpResponse, HttpResult } from "./types.ts";

export interface HttpHandlerOptions<Schema extends z.core.$ZodType | undefined> {
  /** The zod schema of the JSON body; leave out for requests without a body. */
  body?: Schema;
  /** Whether an absent body is allowed (the schema then sees `undefined`). */
  bodyOptional?: boolean;
  /**
   * For a route that changes state: the store of its Idempotency-Key records (lib/wiring/idempotency.ts). Its handler
   * must call `request.claim`. Given by the function, so that a function without Redis does not bundle it.
   */
  idempotent?: () => IdempotencyStore;
}

// No Reporting-Endpoints (there is no endpoint to report to: middy would send the header empty), and no
// Server / X-Powered-By removal (nothing sets them here: middy would leave them in the response as undefined).
// A variable, not a literal: middy's types (6.4) do not list `reportingEndpoints`, which its code reads.
const SECURITY_HEADER_OPTIONS = { reportingEndpoints: false, poweredBy: false };

type BodyOf<Schema> = Schema extends z.core.$ZodType ? z.output<Schema> : undefined;

/**
 * Wraps a handler in the one middleware chain every HTTP function uses:
 * context/metrics → normalize headers → security headers → secrets → Idempotency-Key (state-changing POSTs) →
 * parse + validate JSON → handler → error handler.
 * CORS is not the functions' concern: API Gateway answers preflights and sets the CORS headers of every response.
 */
export function httpHandler<Schema extends z.core.$ZodType | undefined = undefined>(
  options: HttpHandlerOptions<Schema>,
  handle: (request: HttpRequest<BodyOf<Schema>>) => Promise<HttpResult>,
) {
  getConfig(); // a bad configuration fails the cold start, with the variable's name
  return (
    middy<HttpEvent, HttpResponse, Error, Context>({ timeoutEarlyInMillis: 500 })
      .use(injectLambdaContext(logger, { resetKeys: true }))
      .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
      .use(httpHeaderNormalizer())
      .use(httpSecurityHeaders(SECURITY_HEADER_OPTIONS))
      // After the security headers, so that a 503 for unreadable secrets still carries them.
      .use(loadSecretsFirst<HttpEvent, HttpResponse, Context>(processSecrets))
      // Before the body is parsed, so that a repeat is judged on the bytes sent; its onError runs after the error
      // handler's, and frees the key of a request that failed.
      .use(options.idempotent ? idempotencyKey({ store: options.idempotent, rawBody }) : [])
      .use(jsonBody({ schema: options.body, optional: options.bodyOptional ?? false, maxBytes: MAX_BODY_BYTES }))
      .use(errorHandler())
      .handler(async (event, context, { signal }) => {
        const result = await handle({
          body: event.body as BodyOf<Schema>,
          pathParameters: event.pathParameters ?? {},
          headers: event.headers ?? {},
          sourceIp: event.requestContext?.http?.sourceIp ?? "unknown",
          requestId: context.awsRequestId,
          signal,
          claim: (scope) => exchangeOf(event)?.claim(scope) ?? Promise.resolve(),
        });
        return toResponse(result);
      })
  );
}

/** Serializes a handler result as a JSON response (204 has no body). */
export function toResponse(result: HttpResult): HttpResponse {
  const headers: Record<string, string> = { "Cache-Control": "no-store", ...result.headers };
  if (result.status === 204 || result.body === undefined) return { statusCode: result.status, headers };
  return {
    statusCode: result.status,
    headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
    body: JSON.stringify(result.body),
  };
}
