import { httpHandler } from "../lib/http/handler.ts";
import { deleteSessionRoute } from "../lib/schemas/routes.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { eraseSession } from "../lib/results/results.ts";
import { bearerToken } from "../lib/sessions/tokens.ts";
import { resultDeps } from "../lib/wiring/results.ts";

export const handler = httpHandler(deleteSessionRoute, async (request) => {
  const erased = await eraseSession(resultDeps(request.signal), request.pathParameters.sessionId, bearerToken(request.headers));
  logger.appendKeys({ sessionId: request.pathParameters.sessionId });
  logger.info("session erased", erased);
  countMetric("SessionsDeleted");
  return { status: 204 };
});
