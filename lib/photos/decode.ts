import { CHECKED_PHOTO_MAX_SIDE, MAX_PHOTO_PIXELS, sniffImageType, type PhotoNormaliser, type PhotoVerdict } from "./inspect.ts";
import type { PhotoContentType } from "../schemas/photos.ts";

const SHARP_FORMAT: Record<PhotoContentType, string> = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" };

/**
 * The copy's encoding: JPEG for every photo, whatever was uploaded. It is what cameras make and what every browser
 * and image model takes; a photo in it is a fraction of its size as PNG, so a copy of CHECKED_PHOTO_MAX_SIDE stays
 * well under MAX_PHOTO_BYTES; and one served type is one thing to get right. Transparency, which a portrait does not
 * need, is flattened onto white. Fixed options make the same upload give the same bytes.
 */
const JPEG_OPTIONS = { quality: 85, chromaSubsampling: "4:2:0", mozjpeg: false } as const;

/**
 * Checks that bytes are a whole, decodable image of the declared type and makes the copy that is kept: decoded,
 * turned upright by its EXIF orientation, scaled to fit CHECKED_PHOTO_MAX_SIDE, converted to sRGB, and encoded anew
 * as JPEG with no metadata at all (no EXIF — so no GPS position or camera —, no XMP, IPTC, ICC profile or comment:
 * sharp writes none unless asked). Only the S3 event's function (photoUploaded) runs it: it is the one function of
 * the photo checks that ships sharp.
 */
export const normalisePhoto: PhotoNormaliser = async (bytes, declared): Promise<PhotoVerdict> => {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (sniffImageType(bytes) !== declared) return { ok: false, reason: "type_mismatch" };
  // Loaded on demand: the native module is read from disk at the first check, not at the function's start.
  const { default: sharp } = await import("sharp");
  let width: number | undefined;
  let height: number | undefined;
  let format: string | undefined;
  try {
    // The header alone: the dimensions are known before a pixel is decoded.
    ({ width, height, format } = await sharp(bytes, { limitInputPixels: false }).metadata());
  } catch {
    return { ok: false, reason: "not_decodable" };
  }
  if (format !== SHARP_FORMAT[declared] || !width || !height) return { ok: false, reason: "type_mismatch" };
  if (width * height > MAX_PHOTO_PIXELS) return { ok: false, reason: "too_many_pixels" };
  try {
    const { data, info } = await sharp(bytes, { failOn: "error", limitInputPixels: MAX_PHOTO_PIXELS })
      .rotate()
      .resize(CHECKED_PHOTO_MAX_SIDE, CHECKED_PHOTO_MAX_SIDE, { fit: "inside", withoutEnlargement: true })
      .flatten({ background: "#ffffff" })
      .toColourspace("srgb")
      .jpeg(JPEG_OPTIONS)
      .toBuffer({ resolveWithObject: true });
    return { ok: true, bytes: data, width: info.width, height: info.height };
  } catch {
    return { ok: false, reason: "not_decodable" };
  }
};
