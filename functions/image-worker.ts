import { eventHandler } from "../lib/http/event-handler.ts";
import { runImageJob } from "../lib/images/worker.ts";
import { describeError, logger } from "../lib/observability/logger.ts";
import { countMetric } from "../lib/observability/metrics.ts";
import { imageJobEvent } from "../lib/schemas/images.ts";
import { imageWorkerDeps } from "../lib/wiring/images.ts";

// Invoked asynchronously by POST /api/sessions/{id}/images with {sessionId, kind, jobId}.
// It never throws: every outcome is recorded on the job, and a job it cannot record (Redis down) goes
// stale and is replaced by the next request. A thrown error would buy nothing but a Lambda retry that the
// claim skips, and serverless-offline does not await Event invocations, so a rejection would stop it.
// middy's early timeout is off: it would end the invocation at once; instead the job sees an abort signal
// a few seconds before Lambda's limit and still has the time to record itself as failed.
const RECORD_MARGIN_MS = 5000;

export const handler = eventHandler<unknown>({ timeoutEarlyInMillis: 0 }, async (event, context) => {
  const parsed = imageJobEvent.safeParse(event);
  if (!parsed.success) {
    logger.warn("ignored event", { reason: "not an image job" });
    return;
  }
  const job = parsed.data;
  logger.appendKeys({ sessionId: job.sessionId, kind: job.kind, jobId: job.jobId });
  try {
    const signal = AbortSignal.timeout(Math.max(1000, context.getRemainingTimeInMillis() - RECORD_MARGIN_MS));
    const result = await runImageJob(imageWorkerDeps(signal), job);
    logger.info("image job finished", { ...result });
    if (result.outcome === "ready") countMetric("ImagesGenerated");
    if (result.outcome === "failed") countMetric("ImagesFailed");
  } catch (error) {
    logger.error("image job could not be recorded", describeError(error));
    countMetric("ImagesFailed");
  }
});
