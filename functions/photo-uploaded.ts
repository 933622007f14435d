import type { S3Event } from "aws-lambda";
import { eventHandler } from "../lib/http/event-handler.ts";
import { logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { confirmPhoto } from "../lib/photos/photos.ts";
import { sessionIdOfPhotoKey } from "../lib/storage/objects.ts";
import { photoEventDeps } from "../lib/wiring/photos.ts";

// S3 ObjectCreated on sessions/*/uploads/*/user-photo: check the real object and settle the photo.
export const handler = eventHandler<S3Event>({}, async (event) => {
  for (const record of event.Records) {
    const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
    const sessionId = sessionIdOfPhotoKey(key);
    if (!sessionId) {
      logger.warn("ignored object", { reason: "not a user photo key" });
      continue;
    }
    logger.appendKeys({ sessionId });
    const photo = await confirmPhoto(photoEventDeps(), sessionId, key);
    logger.info("photo checked", { status: photo?.status ?? "discarded", reason: photo?.reason });
    if (photo?.status === "ready") countMetric("PhotosReady");
    if (photo?.status === "rejected") countMetric("PhotosRejected");
  }
});
