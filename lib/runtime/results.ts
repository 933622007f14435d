import { getConfig } from "../config.ts";
import { dynamoClient } from "../clients/dynamodb.ts";
import { DynamoResultArchive } from "../results/dynamo-result-archive.ts";
import type { ResultDeps } from "../results/results.ts";
import { objectStore } from "./photos.ts";
import { sessionStore } from "./sessions.ts";

let archive: DynamoResultArchive | undefined;

/** The process-wide archive of results on DynamoDB. */
export function resultArchive(): DynamoResultArchive {
  archive ??= new DynamoResultArchive(dynamoClient(), getConfig().RESULTS_TABLE);
  return archive;
}

/** What reading an archived result needs: no Redis, the result outlives the session. */
export function archiveDeps(): Pick<ResultDeps, "archive" | "objects" | "urlTtlSeconds"> {
  return { archive: resultArchive(), objects: objectStore(), urlTtlSeconds: getConfig().DOWNLOAD_URL_TTL_SECONDS };
}

/** What the results domain needs, from the real clients and configuration. */
export function resultDeps(): ResultDeps {
  const config = getConfig();
  return {
    ...archiveDeps(),
    store: sessionStore(),
    retentionDays: config.RETENTION_DAYS,
  };
}
