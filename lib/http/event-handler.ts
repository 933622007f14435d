import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Context } from "aws-lambda";
import { logger } from "../observability/logger.ts";
import { metrics } from "../observability/metrics.ts";
import { processSecrets } from "../wiring/secrets.ts";
import { loadSecretsFirst } from "./middlewares.ts";

export interface EventHandlerOptions {
  /** middy's early timeout; 0 turns it off (the handler then watches the remaining time itself). Leave the key out for middy's default. */
  timeoutEarlyInMillis?: number;
}

/**
 * Wraps the handler of an event function (an S3 notification, an asynchronous invocation) in the chain every such
 * function uses: context and metrics → secrets → handler. Without its secrets an event function can record nothing,
 * so a failed load is the one error it throws (Lambda then retries the event).
 */
export function eventHandler<Event>(options: EventHandlerOptions, handle: (event: Event, context: Context) => Promise<void>) {
  return middy<Event, void, Error, Context>(options)
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
    .use(loadSecretsFirst<Event, void, Context>(processSecrets))
    .handler(handle);
}
