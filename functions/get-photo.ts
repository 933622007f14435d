import { PictureNotReadyError, RouteNotFoundError } from "../lib/errors.ts";
import { httpHandler } from "../lib/http/handler.ts";
import { getPhotoRoute } from "../lib/schemas/routes.ts";
import { settlePendingPhoto } from "../lib/photos/photos.ts";
import { pictureName } from "../lib/schemas/photos.ts";
import { readyPictureKey } from "../lib/sessions/urls.ts";
import { getConfig } from "../lib/wiring/config.ts";
import { objectLinks, photoReadDeps } from "../lib/wiring/photos.ts";
import { openRequestedSession } from "../lib/wiring/sessions.ts";
import type { pictureLinkBody } from "../lib/schemas/responses.ts";
import type * as z from "../lib/schemas/zod.ts";

const config = getConfig();

export const handler = httpHandler(getPhotoRoute, async (request) => {
  const name = pictureName.safeParse(request.pathParameters.name);
  if (!name.success) throw new RouteNotFoundError();
  const opened = await openRequestedSession(request);
  const session = name.data === "user" ? await settlePendingPhoto(photoReadDeps(request.signal), opened) : opened;
  const ready = readyPictureKey(session, name.data);
  if (!ready) throw new PictureNotReadyError(name.data);
  const expiresAt = new Date(Date.now() + config.DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString();
  const url = await objectLinks().presignDownload(ready.key, config.DOWNLOAD_URL_TTL_SECONDS, { contentType: ready.contentType });
  const body: z.infer<typeof pictureLinkBody> = { url, expiresAt, contentType: ready.contentType };
  return { status: 200, body };
});
