import { createDynamoClient } from "../clients/dynamodb.ts";
import { DynamoResultArchive } from "../results/dynamo-result-archive.ts";
import type { ResultDeps } from "../results/results.ts";
import { getConfig } from "./config.ts";
import { objectStore } from "./photos.ts";
import { sessionStore } from "./sessions.ts";

let archive: DynamoResultArchive | undefined;

/** The process-wide archive of results on DynamoDB (locally dynalite). */
export function resultArchive(): DynamoResultArchive {
  const config = getConfig();
  archive ??= new DynamoResultArchive(
    createDynamoClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT, requestTimeoutMs: config.DEPENDENCY_TIMEOUT_MS }),
    config.RESULTS_TABLE,
  );
  return archive;
}

/** What reading an archived result needs: no Redis, the result outlives the session. */
export function archiveDeps(): Pick<ResultDeps, "archive" | "objects" | "urlTtlSeconds"> {
  return { archive: resultArchive(), objects: objectStore(), urlTtlSeconds: getConfig().DOWNLOAD_URL_TTL_SECONDS };
}

/** What the results domain needs, from the real clients and configuration. */
export function resultDeps(): ResultDeps {
  return { ...archiveDeps(), store: sessionStore(), retentionDays: getConfig().RETENTION_DAYS };
}
