import { httpHandler } from "../lib/http/handler.ts";
import { completeSessionRoute } from "../lib/schemas/routes.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { completeSession } from "../lib/results/results.ts";
import { resultDeps } from "../lib/wiring/results.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";

export const handler = httpHandler(
  completeSessionRoute,
  async (request) => {
    const session = await openRequestedSession(request);
    const completed = await completeSession(resultDeps(request.signal), session);
    if (session.status !== "completed") countMetric("SessionsCompleted");
    logger.info("session completed");
    return { status: 200, body: completed };
  },
  { idempotencyStore },
);
