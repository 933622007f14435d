import { httpHandler } from "../lib/http/handler.ts";
import { requestPhotoUploadRoute } from "../lib/schemas/routes.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { logger } from "../lib/observability/logger.ts";
import { requestPhotoUpload } from "../lib/photos/photos.ts";
import { photoUploadDeps } from "../lib/wiring/photos.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";

export const handler = httpHandler(
  requestPhotoUploadRoute,
  async (request) => {
    const session = await openRequestedSession(request);
    const grant = await requestPhotoUpload(photoUploadDeps(request.signal), session, request.body);
    logger.info("photo upload granted", { contentType: request.body.contentType, contentLength: request.body.contentLength });
    return { status: 201, body: grant };
  },
  { idempotencyStore },
);
