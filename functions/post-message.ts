import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { postMessage } from "../lib/interview/turn.ts";
import { postMessageBody } from "../lib/schemas/messages.ts";
import { getConfig } from "../lib/config.ts";
import { chatProvider } from "../lib/runtime/chat.ts";
import { sessionStore } from "../lib/runtime/sessions.ts";
import { openSessionWithinLimit } from "../lib/limits/enforce.ts";
import { messageLimiter } from "../lib/limits/limiters.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric, MetricName } from "../lib/observability/metrics.ts";

const config = getConfig();

export const handler = httpHandler({ body: postMessageBody }, async (request) => {
  // The session read and the message limit share one Redis round trip; the turn's write is the second.
  const session = await openSessionWithinLimit(sessionStore(), messageLimiter(), request.pathParameters.sessionId, bearerToken(request.headers));
  logger.appendKeys({ sessionId: session.id });
  const result = await postMessage(
    { store: sessionStore(), interviewer: chatProvider(), maxUserMessages: config.MAX_USER_MESSAGES },
    session,
    request.body.text,
    request.signal,
  );
  // Field names and counts only: never the text or the values.
  logger.info("message answered", { extracted: result.extracted, missing: result.missingFields.length });
  countMetric(MetricName.MessagesPosted);
  return { status: 200, body: result };
});
