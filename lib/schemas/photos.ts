import { PHOTO_CONTENT_TYPES } from "../photos/inspect.ts";
import * as z from "./zod.ts";

/** Body of POST /api/sessions/{sessionId}/photos/user: the declared type and exact size of the file. */
export const photoUploadBody = (maxPhotoBytes: number) =>
  z.strictObject({
    contentType: z.enum(PHOTO_CONTENT_TYPES),
    contentLength: z.int().check(z.minimum(1), z.maximum(maxPhotoBytes)),
  });

/** The pictures a session can have. */
export const pictureName = z.enum(["user", "partner", "child"]);
