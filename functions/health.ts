import { httpHandler } from "../lib/http/handler.ts";
import { checkHealth } from "../lib/health.ts";
import { getConfig } from "../lib/config.ts";
import { redisClient } from "../lib/clients/redis.ts";
import { photoObjects } from "../lib/clients/s3.ts";
import { resultArchive } from "../lib/runtime/results.ts";
import { logger } from "../lib/observability/logger.ts";

const config = getConfig();

export const handler = httpHandler({}, async () => {
  const report = await checkHealth(
    {
      redis: () => redisClient().ping(),
      s3: (signal) => photoObjects().ping(signal),
      dynamodb: (signal) => resultArchive().ping(signal),
    },
    config.DEPENDENCY_TIMEOUT_MS,
  );
  if (report.status !== "ok") logger.warn("not ready", { checks: report.checks });
  if (report.status === "ok") return { status: 200, body: report };
  return { status: 503, body: report, headers: { "Retry-After": "5" } };
});
