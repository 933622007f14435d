import sharp from "sharp";
import { beforeAll, describe, expect, it } from "vitest";
import { createLocalImageProvider } from "../../../lib/images/local-provider.ts";
import { ImageProviderError, isPng, type ChildImageInput, type PartnerImageInput } from "../../../lib/images/provider.ts";

/** A photo-like JPEG: a gradient with a dark disc, so blur and tint have something to work on. */
async function photo(hue: number): Promise<Buffer> {
  const svg = [
    '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="400">',
    `<defs><linearGradient id="g"><stop offset="0" stop-color="hsl(${hue},60%,60%)"/>`,
    `<stop offset="1" stop-color="hsl(${hue + 40},60%,30%)"/></linearGradient></defs>`,
    '<rect width="320" height="400" fill="url(#g)"/><circle cx="160" cy="150" r="80" fill="#3a2a20"/></svg>',
  ].join("");
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

const signal = () => AbortSignal.timeout(10_000);

let userPhoto: Buffer;
let otherPhoto: Buffer;

beforeAll(async () => {
  [userPhoto, otherPhoto] = await Promise.all([photo(20), photo(200)]);
});

const partnerInput = (overrides: Partial<PartnerImageInput> = {}): PartnerImageInput => ({
  kind: "partner",
  gender: "female",
  partner: { name: "健太", temperament: "gentle and calm", appearance: "tall, short black hair" },
  userPhoto: { bytes: userPhoto, contentType: "image/jpeg" },
  ...overrides,
});

describe("local image provider", () => {
  const provider = createLocalImageProvider();

  it("draws a valid 512×512 PNG for the partner, with or without the user photo", async () => {
    for (const input of [partnerInput(), partnerInput({ userPhoto: undefined })]) {
      const png = await provider.generate(input, signal());

      expect(isPng(png)).toBe(true);
      const metadata = await sharp(png).metadata();
      expect(metadata).toMatchObject({ format: "png", width: 512, height: 512 });
      // Decodes completely, not only its header.
      const stats = await sharp(png).stats();
      expect(stats.channels.length).toBeGreaterThanOrEqual(3);
    }
  });

  it("is deterministic: the same inputs give the same bytes, also from another provider instance", async () => {
    const first = await provider.generate(partnerInput(), signal());
    const second = await createLocalImageProvider().generate(partnerInput(), signal());

    expect(second.equals(first)).toBe(true);
  });

  it("draws another picture when any input changes", async () => {
    const base = await provider.generate(partnerInput(), signal());
    const variants = await Promise.all([
      provider.generate(partnerInput({ partner: { ...partnerInput().partner, name: "Ren" } }), signal()),
      provider.generate(partnerInput({ partner: { ...partnerInput().partner, appearance: "curly red hair" } }), signal()),
      provider.generate(partnerInput({ gender: "male" }), signal()),
      provider.generate(partnerInput({ userPhoto: { bytes: otherPhoto, contentType: "image/jpeg" } }), signal()),
    ]);

    for (const variant of variants) expect(variant.equals(base)).toBe(false);
    expect(new Set(variants.map((png) => png.toString("base64"))).size).toBe(variants.length);
  });

  it("draws the child from both pictures, deterministically, and differently for another child", async () => {
    const partnerPng = await provider.generate(partnerInput(), signal());
    const child = (overrides: Partial<ChildImageInput> = {}): ChildImageInput => ({
      kind: "child",
      child: { name: "さくら", gender: "female" },
      userPhoto: { bytes: userPhoto, contentType: "image/jpeg" },
      partnerImage: { bytes: partnerPng, contentType: "image/png" },
      ...overrides,
    });

    const first = await provider.generate(child(), signal());
    const again = await provider.generate(child(), signal());
    const son = await provider.generate(child({ child: { name: "さくら", gender: "male" } }), signal());
    const otherParent = await provider.generate(child({ userPhoto: { bytes: otherPhoto, contentType: "image/jpeg" } }), signal());

    expect(await sharp(first).metadata()).toMatchObject({ format: "png", width: 512, height: 512 });
    expect(again.equals(first)).toBe(true);
    expect(son.equals(first)).toBe(false);
    expect(otherParent.equals(first)).toBe(false);
  });

  it("gives up with generation_timeout once its signal has aborted", async () => {
    const aborted = AbortSignal.abort();

    const error = await provider.generate(partnerInput(), aborted).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ImageProviderError);
    expect(error).toMatchObject({ code: "generation_timeout" });
  });

  it("fails with input_not_decodable, not a crash, when a source picture does not decode", async () => {
    const cut = { bytes: userPhoto.subarray(0, 40), contentType: "image/jpeg" };

    const error = await provider.generate(partnerInput({ userPhoto: cut }), signal()).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ImageProviderError);
    expect(error).toMatchObject({ code: "input_not_decodable" });
  });
});
