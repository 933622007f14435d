import type { PhotoContentType, PhotoRejection } from "../schemas/photos.ts";

export { PHOTO_REJECTIONS, type PhotoRejection } from "../schemas/photos.ts";

/** The largest photo accepted, in pixels (width × height), e.g. 8000 × 8000; larger ones are `too_many_pixels`. */
export const MAX_PHOTO_PIXELS = 64_000_000;

/** The longest side of the checked copy, in pixels: a larger photo is scaled down to fit, a smaller one kept as it is. */
export const CHECKED_PHOTO_MAX_SIDE = 1536;

/** A verdict on an uploaded photo: the checked copy that is kept (no metadata, upright, bounded), or why there is none. */
export type PhotoVerdict = { ok: true; bytes: Buffer; width: number; height: number } | { ok: false; reason: PhotoRejection };

/** Checks the bytes of an upload against the type it was declared as, and makes the copy that is kept of it. */
export type PhotoNormaliser = (bytes: Buffer, declared: PhotoContentType) => Promise<PhotoVerdict>;

/** The PNG file signature. */
export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** The image type named by a file's first bytes, or null when they are not JPEG, PNG or WebP. */
export function sniffImageType(bytes: Uint8Array): PhotoContentType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "image/jpeg";
  if (bytes.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((byte, i) => bytes[i] === byte)) return "image/png";
  const ascii = (from: number, to: number) => Buffer.from(bytes.subarray(from, to)).toString("latin1");
  if (bytes.length >= 12 && ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "image/webp";
  return null;
}
