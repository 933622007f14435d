import { httpHandler } from "../lib/http/handler.ts";
import { requestImageRoute } from "../lib/schemas/routes.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { requestImage } from "../lib/images/request.ts";
import { logger } from "../lib/observability/logger.ts";
import { imageRequestDeps } from "../lib/wiring/images.ts";
import { openRequestedSession } from "../lib/wiring/sessions.ts";

export const handler = httpHandler(
  requestImageRoute,
  async (request) => {
    const session = await openRequestedSession(request);
    const result = await requestImage(imageRequestDeps(request.sourceIp, request.signal), session, request.body.kind);
    // Ids, kinds and statuses only: never the URL.
    logger.info("image requested", {
      kind: result.image.kind,
      jobId: result.image.jobId,
      status: result.image.status,
      outcome: result.outcome,
    });
    return { status: result.httpStatus, body: { image: result.image } };
  },
  { idempotencyStore },
);
