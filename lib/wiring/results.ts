import { createDynamoClient } from "../clients/dynamodb.ts";
import { DynamoResultArchive } from "../results/dynamo-result-archive.ts";
import type { ArchiveDeps, ResultDeps } from "../results/results.ts";
import { getConfig } from "./config.ts";
import { objectLinks, objectStore } from "./photos.ts";
import { sessionStore } from "./sessions.ts";
import { sessionIdempotencyKey } from "./idempotency.ts";
import { sessionLimitKeys } from "./limits.ts";
import { lostJobAfterMs } from "../sessions/model.ts";

let archive: DynamoResultArchive | undefined;

/** The process-wide archive of results on DynamoDB (locally dynalite). */
export function resultArchive(signal?: AbortSignal): DynamoResultArchive {
  const config = getConfig();
  archive ??= new DynamoResultArchive(
    createDynamoClient({ region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT, requestTimeoutMs: config.DEPENDENCY_TIMEOUT_MS }),
    config.RESULTS_TABLE,
    { timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
  );
  return archive.forRequest(signal);
}

/** What reading an archived result needs: no Redis (the result outlives the session), no S3 client (links only). */
export function archiveDeps(signal?: AbortSignal): ArchiveDeps {
  return { archive: resultArchive(signal), objects: objectLinks(), urlTtlSeconds: getConfig().DOWNLOAD_URL_TTL_SECONDS };
}

/** What the results domain needs, from the real clients and configuration. */
export function resultDeps(signal?: AbortSignal): ResultDeps {
  const config = getConfig();
  return {
    ...archiveDeps(signal),
    objects: objectStore(signal),
    store: sessionStore(),
    retentionDays: config.RETENTION_DAYS,
    staleAfterMs: lostJobAfterMs(config.IMAGE_TIMEOUT_SECONDS),
    // The session's keys beside its own: its rate-limit counters and its Idempotency-Key answers.
    limitKeys: (sessionId, owner) => [...sessionLimitKeys(sessionId, owner), sessionIdempotencyKey(sessionId)],
  };
}
