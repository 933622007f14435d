import { createHash } from "node:crypto";
import type { Sharp } from "sharp";
import {
  ImageProviderError,
  LOCAL_IMAGE_TRAITS,
  type ChildImageInput,
  type ImageInput,
  type ImageProvider,
  type PartnerImageInput,
} from "./provider.ts";

// The local provider draws a real picture without any network: a blurred, tinted version of the
// source photos under an SVG overlay (light spots, a portrait silhouette and a band that encodes the
// name). Every colour and position comes from a hash of the inputs, and PNG output with fixed options
// is byte-stable, so the same inputs always give the same file. The name is drawn as a pattern, not as
// text: Lambda has no fonts, and text rendering would differ between machines.

const SIZE = 512;
const MAX_INPUT_PIXELS = 64_000_000;
const PNG_OPTIONS = { compressionLevel: 9, adaptiveFiltering: false, palette: false } as const;

type Rgb = { r: number; g: number; b: number };

/** The `local` ImageProvider: deterministic PNGs made with sharp from the inputs. */
export function createLocalImageProvider(): ImageProvider {
  return {
    ...LOCAL_IMAGE_TRAITS,
    generate: async (input, signal) => {
      checkSignal(signal);
      // Loaded on demand: only functions that draw pictures pay for the native module.
      const { default: sharp } = await import("sharp");
      const seed = seedOf(input);
      const base = await decodeSources(() => (input.kind === "partner" ? partnerBase(sharp, input, seed) : childBase(sharp, input, seed)));
      checkSignal(signal);
      const overlay = Buffer.from(overlaySvg(input, seed));
      const png = await sharp(base)
        .composite([{ input: overlay, top: 0, left: 0 }])
        .png(PNG_OPTIONS)
        .toBuffer();
      checkSignal(signal);
      return png;
    },
  };
}

type SharpFactory = typeof import("sharp")["default"];

/** Runs the steps that decode the source pictures; a failure to decode is the job's `input_not_decodable`, not a crash. */
async function decodeSources(draw: () => Promise<Buffer>): Promise<Buffer> {
  try {
    return await draw();
  } catch (error) {
    throw new ImageProviderError("input_not_decodable", "A source picture could not be decoded", { cause: error });
  }
}

function checkSignal(signal: AbortSignal): void {
  if (signal.aborted) throw new ImageProviderError("generation_timeout", "The local image provider was aborted");
}

function digest(...parts: Array<string | Buffer>): Buffer {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(createHash("sha256").update(part).digest());
  return hash.digest();
}

function seedOf(input: ImageInput): Buffer {
  if (input.kind === "partner") {
    const { name, temperament, appearance } = input.partner;
    return digest("partner", input.gender ?? "", name, temperament, appearance, input.userPhoto?.bytes ?? "");
  }
  return digest("child", input.child.name, input.child.gender, input.userPhoto.bytes, input.partnerImage.bytes);
}

/** A deterministic stream of bytes from the seed (the seed, re-hashed as often as needed). */
function byteStream(seed: Buffer): () => number {
  let block = seed;
  let index = 0;
  return () => {
    if (index >= block.length) {
      block = createHash("sha256").update(block).digest();
      index = 0;
    }
    return block[index++] ?? 0;
  };
}

function hsl(hue: number, saturation: number, lightness: number): Rgb {
  const s = saturation / 100;
  const l = lightness / 100;
  const k = (n: number) => (n + hue / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => Math.round(255 * (l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))));
  return { r: channel(0), g: channel(8), b: channel(4) };
}

function hex({ r, g, b }: Rgb): string {
  return `#${[r, g, b].map((value) => value.toString(16).padStart(2, "0")).join("")}`;
}

function palette(seed: Buffer, input: ImageInput): { base: Rgb; accent: Rgb; light: Rgb } {
  const next = byteStream(seed);
  // A child's wished gender nudges the hue (warm, cool, or the seed's own); everything else is the seed's.
  const seedHue = ((next() << 8) | next()) % 360;
  const hue =
    input.kind === "child" && input.child.gender !== "either" ? (input.child.gender === "female" ? 340 : 210) + (seedHue % 30) : seedHue;
  return {
    base: hsl(hue % 360, 45 + (next() % 30), 45 + (next() % 15)),
    accent: hsl((hue + 150 + (next() % 60)) % 360, 55 + (next() % 30), 35 + (next() % 20)),
    light: hsl((hue + 30) % 360, 70, 85),
  };
}

async function photoLayer(sharp: SharpFactory, bytes: Buffer, tint: Rgb): Promise<Buffer> {
  return preparePhoto(sharp(bytes, { failOn: "error", limitInputPixels: MAX_INPUT_PIXELS }))
    .blur(6)
    .tint(tint)
    .png(PNG_OPTIONS)
    .toBuffer();
}

function preparePhoto(image: Sharp): Sharp {
  // Upright (EXIF orientation), square, opaque: every source looks the same to the steps after.
  return image.rotate().resize(SIZE, SIZE, { fit: "cover", position: "centre" }).flatten({ background: "#ffffff" }).removeAlpha();
}

async function plainLayer(sharp: SharpFactory, colour: Rgb): Promise<Buffer> {
  return sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: colour } })
    .png(PNG_OPTIONS)
    .toBuffer();
}

async function partnerBase(sharp: SharpFactory, input: PartnerImageInput, seed: Buffer): Promise<Buffer> {
  const colours = palette(seed, input);
  return input.userPhoto ? photoLayer(sharp, input.userPhoto.bytes, colours.base) : plainLayer(sharp, colours.base);
}

async function childBase(sharp: SharpFactory, input: ChildImageInput, seed: Buffer): Promise<Buffer> {
  const colours = palette(seed, input);
  const load = (bytes: Buffer) =>
    preparePhoto(sharp(bytes, { failOn: "error", limitInputPixels: MAX_INPUT_PIXELS }))
      .blur(8)
      .png(PNG_OPTIONS)
      .toBuffer();
  const [user, partner] = await Promise.all([load(input.userPhoto.bytes), load(input.partnerImage.bytes)]);
  // Both parents in one picture: the partner image blended over the user's photo, then tinted.
  const blended = await sharp(user)
    .composite([{ input: partner, blend: "soft-light" }])
    .png(PNG_OPTIONS)
    .toBuffer();
  return sharp(blended).tint(colours.base).png(PNG_OPTIONS).toBuffer();
}

function overlaySvg(input: ImageInput, seed: Buffer): string {
  const colours = palette(seed, input);
  const next = byteStream(digest(seed, "overlay"));
  const spots: string[] = [];
  for (let i = 0; i < 9; i++) {
    const cx = next() * 2;
    const cy = next() * 2;
    const r = 12 + (next() % 60);
    spots.push(
      `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${hex(colours.light)}" fill-opacity="${(0.12 + (next() % 20) / 100).toFixed(2)}"/>`,
    );
  }
  // A smaller figure for the child; the partner fills the frame.
  const scale = input.kind === "child" ? 0.72 : 1;
  const headY = input.kind === "child" ? 250 : 200;
  const name = input.kind === "child" ? input.child.name : input.partner.name;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">`,
    '<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1">',
    `<stop offset="0" stop-color="${hex(colours.light)}" stop-opacity="0.05"/>`,
    `<stop offset="1" stop-color="${hex(colours.accent)}" stop-opacity="0.55"/>`,
    "</linearGradient></defs>",
    `<rect width="${SIZE}" height="${SIZE}" fill="url(#g)"/>`,
    ...spots,
    `<g transform="translate(256 ${headY}) scale(${scale})" fill="${hex(colours.accent)}" fill-opacity="0.7">`,
    `<ellipse cx="0" cy="0" rx="${62 + (next() % 14)}" ry="${78 + (next() % 14)}"/>`,
    `<path d="M -150 ${250} C -140 130, -70 100, 0 100 C 70 100, 140 130, 150 ${250} Z"/>`,
    "</g>",
    nameBand(name, colours.light),
    "</svg>",
  ].join("");
}

/** The name as a row of bars (one per character, height from its code point), centred near the bottom edge. */
function nameBand(name: string, colour: Rgb): string {
  const codes = [...name].slice(0, 24).map((char) => char.codePointAt(0) ?? 0);
  const width = 14;
  const start = (SIZE - codes.length * width) / 2;
  const bars = codes.map((code, i) => {
    const height = 10 + (code % 23);
    return `<rect x="${start + i * width + 2}" y="${480 - height}" width="${width - 4}" height="${height}" rx="3"/>`;
  });
  return `<g fill="${hex(colour)}" fill-opacity="0.9">${bars.join("")}</g>`;
}
