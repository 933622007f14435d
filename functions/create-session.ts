import { httpHandler } from "../lib/http/handler.ts";
import { createSessionRoute } from "../lib/schemas/routes.ts";
import { enforceLimit } from "../lib/limits/enforce.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { createSession } from "../lib/sessions/sessions.ts";
import { createSessionDeps } from "../lib/wiring/interview.ts";
import { sessionCreateLimiter } from "../lib/wiring/limits.ts";

export const handler = httpHandler(createSessionRoute, async (request) => {
  await enforceLimit(sessionCreateLimiter(), request.sourceIp);
  const created = await createSession(createSessionDeps(), { locale: request.body.locale });
  logger.appendKeys({ sessionId: created.sessionId });
  logger.info("session created", { locale: request.body.locale });
  countMetric("SessionsCreated");
  return { status: 201, body: created };
});
