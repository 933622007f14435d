import * as z from "./zod.ts";

/** The photo types a user may upload. */
export const PHOTO_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"] as const;
export const photoContentType = /* @__PURE__ */ z.enum(PHOTO_CONTENT_TYPES);
export type PhotoContentType = z.infer<typeof photoContentType>;

/** Body of POST /api/sessions/{sessionId}/photos/user: the declared type and exact size of the file. */
export const photoUploadBody = (maxPhotoBytes: number) =>
  z.strictObject({
    contentType: photoContentType,
    contentLength: z.int().check(z.minimum(1), z.maximum(maxPhotoBytes)),
  });

/** The pictures a session can have: the user's photo and the generated ones. */
export const pictureName = /* @__PURE__ */ z.enum(["user", "partner", "child"]);
export type PictureName = z.infer<typeof pictureName>;

/**
 * Why an upload was rejected: `type_mismatch` when its bytes are not the declared type, `content_type_mismatch` when
 * the type it was stored with is not the declared one, `too_many_pixels` when its dimensions pass MAX_PHOTO_PIXELS
 * (told from the header, before any pixel is decoded), `not_decodable` when its pixels do not decode, `not_checked`
 * when no check settled it in time (PHOTO_CHECK_TIMEOUT_MS; the photo may be uploaded again).
 */
export const PHOTO_REJECTIONS = [
  "empty",
  "too_large",
  "size_mismatch",
  "content_type_mismatch",
  "type_mismatch",
  "too_many_pixels",
  "not_decodable",
  "not_checked",
] as const;
export const photoRejection = /* @__PURE__ */ z.enum(PHOTO_REJECTIONS);
export type PhotoRejection = z.infer<typeof photoRejection>;
