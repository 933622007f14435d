import { httpHandler } from "../lib/http/handler.ts";
import { getSessionRoute } from "../lib/schemas/routes.ts";
import { settlePendingPhoto } from "../lib/photos/photos.ts";
import { sessionView } from "../lib/sessions/sessions.ts";
import { pictureUrls } from "../lib/sessions/urls.ts";
import { getConfig } from "../lib/wiring/config.ts";
import { objectLinks, photoReadDeps } from "../lib/wiring/photos.ts";
import { openRequestedSession } from "../lib/wiring/sessions.ts";

const config = getConfig();

export const handler = httpHandler(getSessionRoute, async (request) => {
  const opened = await openRequestedSession(request);
  const session = await settlePendingPhoto(photoReadDeps(request.signal), opened);
  const urls = await pictureUrls(objectLinks(), session, config.DOWNLOAD_URL_TTL_SECONDS);
  return { status: 200, body: sessionView(session, urls) };
});
