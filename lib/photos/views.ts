import { currentTime } from "../clock.ts";
import { PictureNotReadyError } from "../errors.ts";
import type { PictureName } from "../schemas/photos.ts";
import type { pictureLinkBody } from "../schemas/responses.ts";
import type * as z from "../schemas/zod.ts";
import type { Session } from "../sessions/model.ts";
import { type SessionView, sessionView } from "../sessions/sessions.ts";
import { pictureUrls, readyPictureKey } from "../sessions/urls.ts";
import type { ObjectLinks } from "../storage/objects.ts";
import { type PhotoDeps, settlePendingPhoto } from "./photos.ts";

/** What reading a session needs: the photo's settling (no decoder) and the signer of the pictures' links. */
export interface SessionReadDeps extends PhotoDeps {
  links: ObjectLinks;
  urlTtlSeconds: number;
}

/** The body of GET /api/sessions/{sessionId}/photos/{name}. */
export type PictureLink = z.infer<typeof pictureLinkBody>;

/** The whole session as its owner sees it: a late upload settled first, each ready picture with a short-lived link. */
export async function readSession(deps: SessionReadDeps, opened: Session): Promise<SessionView> {
  const session = await settlePendingPhoto(deps, opened);
  return sessionView(session, await pictureUrls(deps.links, session, deps.urlTtlSeconds));
}

/** A short-lived link to one picture of the session, or 404 `picture_not_ready` (the user photo settled first). */
export async function pictureLink(deps: SessionReadDeps, opened: Session, name: PictureName): Promise<PictureLink> {
  const session = name === "user" ? await settlePendingPhoto(deps, opened) : opened;
  const ready = readyPictureKey(session, name);
  if (!ready) throw new PictureNotReadyError(name);
  const expiresAt = new Date(currentTime(deps).getTime() + deps.urlTtlSeconds * 1000).toISOString();
  const url = await deps.links.presignDownload(ready.key, deps.urlTtlSeconds, { contentType: ready.contentType });
  return { url, expiresAt, contentType: ready.contentType };
}
