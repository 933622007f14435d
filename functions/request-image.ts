import { httpHandler } from "../lib/http/handler.ts";
import { requestImageRoute } from "../lib/schemas/routes.ts";
import { idempotencyStore } from "../lib/wiring/idempotency.ts";
import { requestImage } from "../lib/images/request.ts";
import { logger } from "../lib/observability/logger.ts";
import { imageRequestDeps } from "../lib/wiring/images.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";

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
    // A picture already made from the same inputs is answered at once; a job (new or under way) is accepted.
    return { status: result.outcome === "ready" ? 200 : 202, body: { image: result.image } };
  },
  { idempotencyStore },
);
