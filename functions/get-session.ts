import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { openSession, sessionView } from "../lib/sessions/sessions.ts";
import { settlePendingPhoto } from "../lib/photos/photos.ts";
import { pictureUrls } from "../lib/sessions/urls.ts";
import { getConfig } from "../lib/config.ts";
import { objectStore, photoDeps } from "../lib/runtime/photos.ts";
import { sessionStore } from "../lib/runtime/sessions.ts";
import { logger } from "../lib/observability/logger.ts";

const config = getConfig();

export const handler = httpHandler({}, async (request) => {
  const token = bearerToken(request.headers);
  const opened = await openSession(sessionStore(), request.pathParameters.sessionId, token);
  logger.appendKeys({ sessionId: opened.id });
  const session = await settlePendingPhoto(photoDeps(), opened);
  const urls = await pictureUrls(objectStore(), session, config.DOWNLOAD_URL_TTL_SECONDS);
  return { status: 200, body: sessionView(session, urls) };
});
