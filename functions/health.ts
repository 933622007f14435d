import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { httpHandler } from "../lib/http/handler.ts";
import { checkHealth } from "../lib/health.ts";
import { getConfig } from "../lib/config.ts";
import { redisClient } from "../lib/clients/redis.ts";
import { s3Client } from "../lib/clients/s3.ts";
import { dynamoClient } from "../lib/clients/dynamodb.ts";
import { logger } from "../lib/observability/logger.ts";

const config = getConfig();

export const handler = httpHandler({}, async () => {
  const report = await checkHealth(
    {
      redis: () => redisClient().ping(),
      s3: (abortSignal) => s3Client().send(new HeadBucketCommand({ Bucket: config.PHOTO_BUCKET }), { abortSignal }),
      dynamodb: (abortSignal) =>
        dynamoClient().send(new DescribeTableCommand({ TableName: config.RESULTS_TABLE }), { abortSignal }),
    },
    config.DEPENDENCY_TIMEOUT_MS,
  );
  if (report.status !== "ok") logger.warn("not ready", { checks: report.checks });
  if (report.status === "ok") return { status: 200, body: report };
  return { status: 503, body: report, headers: { "Retry-After": "5" } };
});
