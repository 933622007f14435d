import { crc32 } from "node:zlib";
import type { PhotoContentType } from "../schemas/photos.ts";

/**
 * Why an upload was rejected: `type_mismatch` when its bytes are not the declared type, `content_type_mismatch` when
 * the type it was stored with (and would be served as) is not the declared one.
 */
export type PhotoRejection = "empty" | "too_large" | "size_mismatch" | "content_type_mismatch" | "type_mismatch" | "not_decodable";

/** A verdict on an uploaded photo; a full decode also tells its dimensions. */
export type InspectionResult = { ok: true; width?: number; height?: number } | { ok: false; reason: PhotoRejection };

/** Checks the bytes of an upload against the type it was declared as. */
export type PhotoInspector = (bytes: Buffer, declared: PhotoContentType) => Promise<InspectionResult>;

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

/**
 * Checks an upload without decoding it: the declared type's magic bytes, then the file's own framing, whole from the
 * first byte to its end marker — JPEG's segments and entropy-coded data up to EOI, every PNG chunk with its CRC up to
 * IEND, WebP's RIFF length and chunk layout. It catches what a cut, truncated or garbage-filled upload breaks, with no
 * native module; a file whose framing is whole but whose compressed pixels are corrupt passes (the full decode of
 * lib/photos/decode.ts, which the S3 event's check runs, catches that too).
 */
export const inspectImageFraming: PhotoInspector = async (bytes, declared) => {
  if (bytes.length === 0) return { ok: false, reason: "empty" };
  if (sniffImageType(bytes) !== declared) return { ok: false, reason: "type_mismatch" };
  const whole = declared === "image/jpeg" ? jpegIsWhole(bytes) : declared === "image/png" ? pngIsWhole(bytes) : webpIsWhole(bytes);
  return whole ? { ok: true } : { ok: false, reason: "not_decodable" };
};

// JPEG markers that stand alone (no length follows): TEM and RST0–RST7; SOI and EOI are handled apart.
const isStandalone = (marker: number) => marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7);
// Inside entropy-coded data, FF 00 is a data byte and FF D0–D7 a restart; any other byte after FF is a marker.
const isMarker = (next: number) => next !== 0x00 && !(next >= 0xd0 && next <= 0xd7);
// Start-of-frame markers (baseline, progressive, lossless...), all of C0–CF but DHT (C4), JPG (C8) and DAC (CC).
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

/** SOI, a frame header, at least one scan, and EOI, every segment inside the file. Bytes after EOI are allowed. */
function jpegIsWhole(bytes: Buffer): boolean {
  let at = 2;
  let frame = false;
  let scan = false;
  while (at + 1 < bytes.length) {
    if (bytes[at] !== 0xff) return false;
    const marker = bytes.readUInt8(at + 1);
    if (marker === 0xff) {
      at++; // fill byte
      continue;
    }
    if (marker === 0xd9) return frame && scan;
    if (isStandalone(marker)) {
      at += 2;
      continue;
    }
    if (at + 4 > bytes.length) return false;
    const end = at + 2 + bytes.readUInt16BE(at + 2);
    if (end > bytes.length || end < at + 4) return false;
    if (isStartOfFrame(marker)) frame = true;
    at = end;
    if (marker !== 0xda) continue;
    // Entropy-coded data follows a scan header, up to the next marker.
    scan = true;
    while (at + 1 < bytes.length && !(bytes[at] === 0xff && isMarker(bytes.readUInt8(at + 1)))) at++;
  }
  return false;
}

/** IHDR first, at least one IDAT, IEND last, every chunk inside the file with a matching CRC. */
function pngIsWhole(bytes: Buffer): boolean {
  let at = PNG_SIGNATURE.length;
  let first = true;
  let data = false;
  while (at + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(at);
    const end = at + 12 + length;
    if (end > bytes.length) return false;
    const type = bytes.toString("latin1", at + 4, at + 8);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== bytes.readUInt32BE(at + 8 + length)) return false;
    if (first && type !== "IHDR") return false;
    first = false;
    if (type === "IDAT") data = true;
    if (type === "IEND") return data;
    at = end;
  }
  return false;
}

/** A RIFF length that the file holds, then chunks that fill it exactly, the first being the image (or its header). */
function webpIsWhole(bytes: Buffer): boolean {
  const end = 8 + bytes.readUInt32LE(4);
  if (end > bytes.length || end < 20) return false;
  let at = 12;
  let image = false;
  while (at + 8 <= end) {
    const type = bytes.toString("latin1", at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    const data = at + 8;
    if (data + size > end) return false;
    if (at === 12 && !["VP8 ", "VP8L", "VP8X"].includes(type)) return false;
    // A lossy frame starts with its keyframe start code; a lossless one with its signature byte.
    if (type === "VP8 " && (size < 10 || bytes[data + 3] !== 0x9d || bytes[data + 4] !== 0x01 || bytes[data + 5] !== 0x2a)) return false;
    if (type === "VP8L" && (size < 5 || bytes[data] !== 0x2f)) return false;
    if (type === "VP8 " || type === "VP8L" || type === "ANMF") image = true;
    at = data + size + (size % 2);
  }
  return at === end && image;
}
