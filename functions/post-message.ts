import { httpHandler } from "../lib/http/handler.ts";
import { postMessageRoute } from "../lib/schemas/routes.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { postMessage } from "../lib/sessions/turn.ts";
import { messageDeps } from "../lib/wiring/interview.ts";
import { messageLimit } from "../lib/wiring/limits.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";

export const handler = httpHandler(
  postMessageRoute,
  async (request) => {
    // The session read and the message limits (session, client address, stage) share one Redis round trip; the turn's
    // write is the second.
    const session = await openRequestedSession(request, messageLimit(request.sourceIp));
    const result = await postMessage(messageDeps(), session, request.body.text, request.signal);
    // Field names and counts only: never the text or the values.
    logger.info("message answered", { extracted: result.extracted, missing: result.missingFields.length });
    countMetric("MessagesPosted");
    return { status: 200, body: result };
  },
  { idempotencyStore },
);
