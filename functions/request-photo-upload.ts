import { bearerToken, httpHandler } from "../lib/http/handler.ts";
import { openSession } from "../lib/sessions/sessions.ts";
import { requestPhotoUpload } from "../lib/photos/photos.ts";
import { photoUploadBody } from "../lib/schemas/photos.ts";
import { getConfig } from "../lib/config.ts";
import { photoUploadDeps } from "../lib/runtime/photos.ts";
import { sessionStore } from "../lib/runtime/sessions.ts";
import { logger } from "../lib/observability/logger.ts";

const config = getConfig();

export const handler = httpHandler({ body: photoUploadBody(config.MAX_PHOTO_BYTES) }, async (request) => {
  const session = await openSession(sessionStore(), request.pathParameters.sessionId, bearerToken(request.headers));
  logger.appendKeys({ sessionId: session.id });
  const grant = await requestPhotoUpload(photoUploadDeps(), session, request.body);
  logger.info("photo upload granted", { contentType: request.body.contentType, contentLength: request.body.contentLength });
  return { status: 201, body: grant };
});
