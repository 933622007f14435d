import { HttpError, RouteNotFoundError } from "../lib/errors.ts";
import { httpHandler } from "../lib/http/handler.ts";
import { settlePendingPhoto } from "../lib/photos/photos.ts";
import { pictureName } from "../lib/schemas/photos.ts";
import { readyPictureKey } from "../lib/sessions/urls.ts";
import { getConfig } from "../lib/wiring/config.ts";
import { objectStore, photoReadDeps } from "../lib/wiring/photos.ts";
import { openRequestedSession } from "../lib/wiring/sessions.ts";

const config = getConfig();

export const handler = httpHandler({}, async (request) => {
  const name = pictureName.safeParse(request.pathParameters.name);
  if (!name.success) throw new RouteNotFoundError();
  const opened = await openRequestedSession(request);
  const session = name.data === "user" ? await settlePendingPhoto(photoReadDeps(), opened) : opened;
  const ready = readyPictureKey(session, name.data);
  if (!ready) throw new HttpError(404, "picture_not_ready", `The ${name.data} picture is not ready.`);
  const expiresAt = new Date(Date.now() + config.DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString();
  const url = await objectStore().presignDownload(ready.key, config.DOWNLOAD_URL_TTL_SECONDS);
  return { status: 200, body: { url, expiresAt, contentType: ready.contentType } };
});
