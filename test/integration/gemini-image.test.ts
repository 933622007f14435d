import sharp from "sharp";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGeminiImageProvider, DEFAULT_GEMINI_IMAGE_MODEL } from "../../lib/images/gemini-provider.ts";
import { ImageProviderError, isPng, PNG_SIGNATURE, type ChildImageInput, type PartnerImageInput } from "../../lib/images/provider.ts";
import { selectImageProvider } from "../../lib/images/select.ts";
import { geminiCandidateBody, geminiError, geminiImages, geminiText, startFakeGemini, type FakeGemini } from "../fakes/gemini-server.ts";

const API_KEY = "test-gemini-key";

let fake: FakeGemini;
let png: Buffer;
let jpeg: Buffer;

beforeAll(async () => {
  fake = await startFakeGemini();
  png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 30, g: 120, b: 200 } } }).png().toBuffer();
  jpeg = await sharp({ create: { width: 48, height: 40, channels: 3, background: { r: 200, g: 120, b: 30 } } }).jpeg().toBuffer();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(() => geminiImages([{ mimeType: "image/png", data: png.toString("base64") }]));
});

const provider = (model?: string) => createGeminiImageProvider({ apiKey: API_KEY, baseUrl: fake.baseUrl, ...(model ? { model } : {}) });
const signal = () => AbortSignal.timeout(10_000);

const partner: PartnerImageInput = {
  kind: "partner",
  gender: "male",
  partner: { name: "Mia", temperament: "kind, funny and calm", appearance: "long dark hair and a warm smile" },
};

const child = (): ChildImageInput => ({
  kind: "child",
  child: { name: "Sakura", gender: "female" },
  userPhoto: { bytes: jpeg, contentType: "image/jpeg" },
  partnerImage: { bytes: png, contentType: "image/png" },
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: Array<string | number>): unknown {
  let current = value;
  for (const key of path) {
    if (typeof key === "number") current = Array.isArray(current) ? current[key] : undefined;
    else current = isRecord(current) ? current[key] : undefined;
  }
  return current;
}

async function failure(promise: Promise<unknown>): Promise<ImageProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ImageProviderError);
  if (!(error instanceof ImageProviderError)) throw new Error("expected an ImageProviderError");
  return error;
}

describe("Gemini image provider against the fake Gemini API", () => {
  it("asks the configured model for an image, prompted from the partner profile, with the key header", async () => {
    // Act
    const result = await provider().generate(partner, signal());
    // Assess
    expect(result.equals(png)).toBe(true);
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request).toMatchObject({ method: "POST", model: DEFAULT_GEMINI_IMAGE_MODEL, action: "generateContent" });
    expect(request?.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(field(request?.body, "generationConfig", "responseModalities")).toEqual(["IMAGE"]);
    const parts = field(request?.body, "contents", 0, "parts");
    expect(Array.isArray(parts) && parts.length).toBe(1);
    const prompt = String(field(parts, 0, "text"));
    expect(prompt).toContain("long dark hair and a warm smile");
    expect(prompt).toContain("kind, funny and calm");
  });

  it("sends the user photo and the partner picture inline for the child, with the child's name and gender", async () => {
    await provider("gemini-test-image").generate(child(), signal());

    const request = fake.requests[0];
    expect(request?.model).toBe("gemini-test-image");
    const parts = field(request?.body, "contents", 0, "parts");
    expect(String(field(parts, 0, "text"))).toContain("Sakura");
    expect(String(field(parts, 0, "text"))).toContain("daughter");
    expect(field(parts, 1, "inlineData")).toEqual({ mimeType: "image/jpeg", data: jpeg.toString("base64") });
    expect(field(parts, 2, "inlineData")).toEqual({ mimeType: "image/png", data: png.toString("base64") });
  });

  it("returns the first image part, after any text, and converts a JPEG to PNG", async () => {
    fake.respondWith(() => geminiImages([{ mimeType: "image/jpeg", data: jpeg.toString("base64") }, { mimeType: "image/png", data: png.toString("base64") }], "Here you go"));

    const result = await provider().generate(partner, signal());

    expect(isPng(result)).toBe(true);
    expect(await sharp(result).metadata()).toMatchObject({ format: "png", width: 48, height: 40 });
  });

  it("fails with provider_unavailable on an HTTP error", async () => {
    for (const status of [500, 503, 429]) {
      fake.respondWith(() => geminiError(status));
      const error = await failure(provider().generate(partner, signal()));
      expect(error).toMatchObject({ code: "provider_unavailable", status });
    }
  });

  it("fails with provider_bad_response without an image part, with garbage, or with bytes that are not an image", async () => {
    const answers = [
      geminiText("I cannot draw today."),
      { rawBody: "<html>not json</html>" },
      { json: geminiCandidateBody([]) },
      geminiImages([{ mimeType: "image/png", data: Buffer.concat([PNG_SIGNATURE, Buffer.from("not really a png")]).toString("base64") }]),
      geminiImages([{ mimeType: "image/png", data: "" }]),
    ];
    for (const answer of answers) {
      fake.respondWith(() => answer);
      const error = await failure(provider().generate(partner, signal()));
      expect(error.code).toBe("provider_bad_response");
    }
  });

  it("fails with provider_refused when the model declines for safety", async () => {
    fake.respondWith(() => ({ json: { candidates: [{ content: { role: "model", parts: [] }, finishReason: "IMAGE_SAFETY", index: 0 }] } }));
    const declined = await failure(provider().generate(partner, signal()));
    fake.respondWith(() => ({ json: { promptFeedback: { blockReason: "SAFETY" } } }));
    const blocked = await failure(provider().generate(partner, signal()));

    expect(declined.code).toBe("provider_refused");
    expect(blocked.code).toBe("provider_refused");
  });

  it("fails with generation_timeout as soon as the deadline passes, without waiting for a slow answer", async () => {
    fake.respondWith(() => ({ ...geminiImages([{ mimeType: "image/png", data: png.toString("base64") }]), delayMs: 5000 }));

    const started = Date.now();
    const error = await failure(provider().generate(partner, AbortSignal.timeout(200)));

    expect(error.code).toBe("generation_timeout");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("is selected by configuration, and loads the SDK only when it generates", async () => {
    const selected = selectImageProvider({ provider: "gemini", model: "gemini-selected", apiKey: API_KEY, baseUrl: fake.baseUrl });

    expect(selected).toMatchObject({ id: "gemini/gemini-selected", partnerUsesUserPhoto: false });
    expect(fake.requests).toHaveLength(0);
    const result = await selected.generate(partner, signal());
    expect(result.equals(png)).toBe(true);
    expect(fake.requests[0]?.model).toBe("gemini-selected");
  });
});
