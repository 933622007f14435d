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
import type { Route, RouteSettings } from "../schemas/routes.ts";
import type { IdempotencyStore } from "../sessions/idempotency-records.ts";
import { exchangeOf, idempotencyKey } from "./idempotency.ts";
import { answerSecurityHeaders, errorHandler, jsonBody, loadSecretsFirst, MAX_BODY_BYTES, pathParameters, rawBody } from "./middlewares.ts";
import type { HttpEvent, HttpRequest, HttpResponse, HttpResult } from "./types.ts";

/**
 * What the chain takes from a route's descriptor: its body and path parameters (lib/schemas/routes.ts); `ignoreBody`
 * for the catch-all route, whose answer does not depend on the body, whatever it is.
 */
export type RouteValidation = Pick<Route, "body" | "pathParameters" | "idempotent"> & { ignoreBody?: boolean } & Readonly<
    Record<string, unknown>
  >;

export interface HttpHandlerOptions {
  /**
   * For a route that takes an Idempotency-Key (`idempotent` in its descriptor): the store of its records
   * (lib/wiring/idempotency.ts), given by the function so that a function without Redis does not bundle it. Its
   * handler must call `request.claim`.
   */
  idempotencyStore?: () => IdempotencyStore;
}

type SchemaOf<R extends RouteValidation> = R["body"] extends { schema: infer S }
  ? S extends (settings: RouteSettings) => infer Made
    ? Made
    : S
  : undefined;
type BodyOf<R extends RouteValidation> = SchemaOf<R> extends z.core.$ZodType ? z.output<SchemaOf<R>> : undefined;

// No Reporting-Endpoints (there is no endpoint to report to: middy would send the header empty), and no
// Server / X-Powered-By removal (nothing sets them here: middy would leave them in the response as undefined).
// A variable, not a literal: middy's types (6.4) do not list `reportingEndpoints`, which its code reads.
const SECURITY_HEADER_OPTIONS = { reportingEndpoints: false, poweredBy: false };

/**
 * Wraps a handler in the one middleware chain every HTTP function uses:
 * context/metrics → normalize headers → security headers (middy's, and the CSP / framing ones of every answer) → secrets →
 * Idempotency-Key (state-changing POSTs) → parse + validate JSON → path parameters → handler → error handler. The body's
 * schema, the path parameters' and whether the route takes an Idempotency-Key come from the route's descriptor.
 * CORS is not the functions' concern: API Gateway answers preflights and sets the CORS headers of every response.
 */
export function httpHandler<R extends RouteValidation>(
  route: R,
  handle: (request: HttpRequest<BodyOf<R>>) => Promise<HttpResult>,
  options: HttpHandlerOptions = {},
) {
  const config = getConfig(); // a bad configuration fails the cold start, with the variable's name
  if (Boolean(route.idempotent) !== Boolean(options.idempotencyStore)) {
    throw new Error("A route takes an Idempotency-Key exactly when its function gives the store of its records");
  }
  const declared = route.body?.schema;
  const schema = typeof declared === "function" ? declared({ maxPhotoBytes: config.MAX_PHOTO_BYTES }) : declared;
  const chain = middy<HttpEvent, HttpResponse, Error, Context>({ timeoutEarlyInMillis: 500 })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true, throwOnEmptyMetrics: false }))
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders(SECURITY_HEADER_OPTIONS))
    .use(answerSecurityHeaders())
    // After the security headers, so that a 503 for unreadable secrets still carries them.
    .use(loadSecretsFirst<HttpEvent, HttpResponse, Context>(processSecrets));
  // Before the body is parsed, so that a repeat is judged on the bytes sent; its onError runs after the error
  // handler's, and frees the key of a request that failed.
  if (options.idempotencyStore) {
    const bytesOf = (event: HttpEvent) => {
      const bytes = rawBody(event);
      return bytes === undefined ? undefined : Buffer.from(bytes).toString("base64");
    };
    chain.use(idempotencyKey({ store: options.idempotencyStore, rawBody: bytesOf }));
  }
  if (!route.ignoreBody) chain.use(jsonBody({ schema, optional: route.body?.required === false, maxBytes: MAX_BODY_BYTES }));
  return chain
    .use(pathParameters(route.pathParameters))
    .use(errorHandler())
    .handler(async (event, context, { signal }) => {
      const result = await handle({
        body: event.body as BodyOf<R>,
        pathParameters: event.pathParameters ?? {},
        headers: event.headers ?? {},
        sourceIp: event.requestContext?.http?.sourceIp ?? "unknown",
        requestId: context.awsRequestId,
        signal,
        claim: (scope) => exchangeOf(event)?.claim(scope) ?? Promise.resolve(),
      });
      return toResponse(result);
    });
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
