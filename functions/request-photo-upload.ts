import { httpHandler } from "../lib/http/handler.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { logger } from "../lib/observability/logger.ts";
import { requestPhotoUpload } from "../lib/photos/photos.ts";
import { photoUploadBody } from "../lib/schemas/photos.ts";
import { getConfig } from "../lib/wiring/config.ts";
import { photoUploadDeps } from "../lib/wiring/photos.ts";
import { openRequestedSession } from "../lib/wiring/sessions.ts";

const config = getConfig();

export const handler = httpHandler({ body: photoUploadBody(config.MAX_PHOTO_BYTES), idempotent: idempotencyStore }, async (request) => {
  const session = await openRequestedSession(request);
  const grant = await requestPhotoUpload(photoUploadDeps(request.signal), session, request.body);
  logger.info("photo upload granted", { contentType: request.body.contentType, contentLength: request.body.contentLength });
  return { status: 201, body: grant };
});
