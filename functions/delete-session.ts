import { httpHandler } from "../lib/http/handler.ts";
import { sessionCredentials } from "../lib/http/sessions.ts";
import { deleteSessionRoute } from "../lib/schemas/routes.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { eraseSession } from "../lib/results/results.ts";
import { resultDeps } from "../lib/wiring/results.ts";

export const handler = httpHandler(deleteSessionRoute, async (request) => {
  // Erasure also finds what is left of a session Redis forgot (its archive, its objects): it takes the credentials.
  const { sessionId, token } = sessionCredentials(request);
  const erased = await eraseSession(resultDeps(request.signal), sessionId, token);
  logger.appendKeys({ sessionId });
  logger.info("session erased", erased);
  countMetric("SessionsDeleted");
  return { status: 204 };
});
