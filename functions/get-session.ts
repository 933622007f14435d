import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { openSession, sessionView } from "../lib/sessions/sessions.ts";
import { sessionStore } from "../lib/runtime.ts";
import { logger } from "../lib/observability/logger.ts";

export const handler = httpHandler({}, async (request) => {
  const token = bearerToken(request.headers);
  const session = await openSession(sessionStore(), request.pathParameters.sessionId, token);
  logger.appendKeys({ sessionId: session.id });
  return { status: 200, body: sessionView(session) };
});
