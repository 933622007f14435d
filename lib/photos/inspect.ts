import type { PhotoContentType } from "../schemas/photos.ts";

/**
 * Why an upload was rejected: `type_mismatch` when its bytes are not the declared type, `content_type_mismatch` when
 * the type it was stored with (and would be served as) is not the declared one.
 */
export type PhotoRejection = "empty" | "too_large" | "size_mismatch" | "content_type_mismatch" | "type_mismatch" | "not_decodable";

export type InspectionResult = { ok: true; width: number; height: number } | { ok: false; reason: PhotoRejection };

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

const SHARP_FORMAT: Record<PhotoContentType, string> = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" };

/** Checks that bytes are a whole, decodable image of the declared type: magic bytes first, then a full decode by sharp. */
export async function inspectImage(bytes: Buffer, declared: PhotoContentType): Promise<InspectionResult> {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (sniffImageType(bytes) !== declared) return { ok: false, reason: "type_mismatch" };
  // Loaded on demand: only the functions that inspect images pay for the native module.
  const { default: sharp } = await import("sharp");
  try {
    const image = sharp(bytes, { failOn: "error", limitInputPixels: 64_000_000 });
    const metadata = await image.metadata();
    if (metadata.format !== SHARP_FORMAT[declared] || !metadata.width || !metadata.height) return { ok: false, reason: "type_mismatch" };
    await image.resize(16, 16, { fit: "inside" }).raw().toBuffer();
    return { ok: true, width: metadata.width, height: metadata.height };
  } catch {
    return { ok: false, reason: "not_decodable" };
  }
}
