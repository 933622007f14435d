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
