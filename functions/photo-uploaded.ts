import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { S3Event } from "aws-lambda";
import { confirmPhoto } from "../lib/photos/photos.ts";
import { sessionIdOfPhotoKey } from "../lib/storage/objects.ts";
import { photoDeps } from "../lib/runtime/photos.ts";
import { logger } from "../lib/observability/logger.ts";
import { loadSecretsFirst } from "../lib/secrets.ts";
import { countMetric, metrics, MetricName } from "../lib/observability/metrics.ts";

// S3 ObjectCreated on sessions/*/uploads/*/user-photo: check the real object and settle the photo.
export const handler = middy<S3Event, void>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics, { throwOnEmptyMetrics: false }))
  .use(loadSecretsFirst())
  .handler(async (event) => {
    for (const record of event.Records) {
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, " "));
      const sessionId = sessionIdOfPhotoKey(key);
      if (!sessionId) {
        logger.warn("ignored object", { reason: "not a user photo key" });
        continue;
      }
      logger.appendKeys({ sessionId });
      const photo = await confirmPhoto(photoDeps(), sessionId, key);
      logger.info("photo checked", { status: photo?.status ?? "discarded", reason: photo?.reason });
      if (photo?.status === "ready") countMetric(MetricName.PhotosReady);
      if (photo?.status === "rejected") countMetric(MetricName.PhotosRejected);
    }
  });
