import { httpHandler } from "../lib/http/handler.ts";
import { HttpError, RouteNotFoundError } from "../lib/http/errors.ts";
import { settlePendingPhoto } from "../lib/photos/photos.ts";
import { readyPictureKey } from "../lib/sessions/urls.ts";
import { pictureName } from "../lib/schemas/photos.ts";
import type { pictureLinkBody } from "../lib/schemas/responses.ts";
import type * as z from "../lib/schemas/zod.ts";
import { getConfig } from "../lib/config.ts";
import { objectStore, photoDeps } from "../lib/runtime/photos.ts";
import { openRequestedSession } from "../lib/runtime/sessions.ts";

const config = getConfig();

export const handler = httpHandler({}, async (request) => {
  const name = pictureName.safeParse(request.pathParameters.name);
  if (!name.success) throw new RouteNotFoundError();
  const opened = await openRequestedSession(request);
  const session = name.data === "user" ? await settlePendingPhoto(photoDeps(), opened) : opened;
  const ready = readyPictureKey(session, name.data);
  if (!ready) throw new HttpError(404, "picture_not_ready", `The ${name.data} picture is not ready.`);
  const expiresAt = new Date(Date.now() + config.DOWNLOAD_URL_TTL_SECONDS * 1000).toISOString();
  const url = await objectStore().presignDownload(ready.key, config.DOWNLOAD_URL_TTL_SECONDS);
  const body: z.infer<typeof pictureLinkBody> = { url, expiresAt, contentType: ready.contentType };
  return { status: 200, body };
});
