import { httpHandler } from "../lib/http/handler.ts";
import { openRequestedSession } from "../lib/http/sessions.ts";
import { pictureLink } from "../lib/photos/views.ts";
import type { PictureName } from "../lib/schemas/photos.ts";
import { getPhotoRoute } from "../lib/schemas/routes.ts";
import { sessionReadDeps } from "../lib/wiring/photos.ts";

export const handler = httpHandler(getPhotoRoute, async (request) => {
  const session = await openRequestedSession(request);
  // The route's descriptor has checked the name against PictureName (else 404 not_found).
  const name = request.pathParameters.name as PictureName;
  return { status: 200, body: await pictureLink(sessionReadDeps(request.signal), session, name) };
});
