import { sniffImageType, type InspectionResult, type PhotoInspector } from "./inspect.ts";
import type { PhotoContentType } from "../schemas/photos.ts";

const SHARP_FORMAT: Record<PhotoContentType, string> = { "image/jpeg": "jpeg", "image/png": "png", "image/webp": "webp" };

/**
 * Checks that bytes are a whole, decodable image of the declared type: magic bytes first, then a full decode by sharp.
 * Only the S3 event's function (photoUploaded) runs it: it is the one function of the photo checks that ships sharp.
 */
export const inspectImage: PhotoInspector = async (bytes, declared): Promise<InspectionResult> => {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (sniffImageType(bytes) !== declared) return { ok: false, reason: "type_mismatch" };
  // Loaded on demand: the native module is read from disk at the first check, not at the function's start.
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
};
