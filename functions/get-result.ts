import { httpHandler } from "../lib/http/handler.ts";
import { sessionCredentials } from "../lib/http/sessions.ts";
import { readResult } from "../lib/results/results.ts";
import { getResultRoute } from "../lib/schemas/routes.ts";
import { archiveDeps } from "../lib/wiring/results.ts";

// The result outlives the live session: it is opened from the archive with the same credentials, not from Redis.
export const handler = httpHandler(getResultRoute, async (request) => {
  const { sessionId, token } = sessionCredentials(request);
  return { status: 200, body: await readResult(archiveDeps(request.signal), sessionId, token) };
});
