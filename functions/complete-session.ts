import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { openSession } from "../lib/sessions/sessions.ts";
import { completeSession } from "../lib/results/results.ts";
import { resultDeps } from "../lib/runtime/results.ts";
import { sessionStore } from "../lib/runtime/sessions.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric, MetricName } from "../lib/observability/metrics.ts";

export const handler = httpHandler({}, async (request) => {
  const session = await openSession(sessionStore(), request.pathParameters.sessionId, bearerToken(request.headers));
  logger.appendKeys({ sessionId: session.id });
  const completed = await completeSession(resultDeps(), session);
  if (session.status !== "completed") countMetric(MetricName.SessionsCompleted);
  logger.info("session completed");
  return { status: 200, body: completed };
});
