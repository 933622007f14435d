import { httpHandler } from "../lib/http/handler.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";
import { readSession } from "../lib/photos/views.ts";
import { getSessionRoute } from "../lib/schemas/routes.ts";
import { sessionReadDeps } from "../lib/wiring/photos.ts";

export const handler = httpHandler(getSessionRoute, async (request) => {
  const session = await openRequestedSession(request);
  return { status: 200, body: await readSession(sessionReadDeps(request.signal), session) };
});
