import type { PictureName } from "../schemas/photos.ts";
import { GENERATED_IMAGE_TYPE, type ObjectStore } from "../storage/objects.ts";
import { checkedPhotoOf, type Session } from "./model.ts";
import type { ObjectUrls } from "./sessions.ts";

/** The object key of a picture of the session when it is ready, else null. */
export function readyPictureKey(session: Session, name: PictureName): { key: string; contentType: string } | null {
  if (name === "user") return checkedPhotoOf(session.photo);
  const image = session.images[name];
  return image?.status === "ready" && image.key ? { key: image.key, contentType: GENERATED_IMAGE_TYPE } : null;
}

/** Presigned GET URLs (signed locally, no network) for every picture of the session that is ready, each served as its type. */
export async function pictureUrls(
  objects: Pick<ObjectStore, "presignDownload">,
  session: Session,
  expiresInSeconds: number,
): Promise<ObjectUrls> {
  const urls: ObjectUrls = {};
  const names: Array<[PictureName, keyof ObjectUrls]> = [
    ["user", "photo"],
    ["partner", "partner"],
    ["child", "child"],
  ];
  await Promise.all(
    names.map(async ([name, field]) => {
      const ready = readyPictureKey(session, name);
      if (ready) urls[field] = await objects.presignDownload(ready.key, expiresInSeconds, { contentType: ready.contentType });
    }),
  );
  return urls;
}
