import { httpHandler } from "../lib/http/handler.ts";
import { getResultRoute } from "../lib/schemas/routes.ts";
import { readResult } from "../lib/results/results.ts";
import { bearerToken } from "../lib/sessions/tokens.ts";
import { archiveDeps } from "../lib/wiring/results.ts";

export const handler = httpHandler(getResultRoute, async (request) => {
  const result = await readResult(archiveDeps(request.signal), request.pathParameters.sessionId, bearerToken(request.headers));
  return { status: 200, body: result };
});
