import sharp from "sharp";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createGeminiImageProvider, DEFAULT_GEMINI_IMAGE_MODEL } from "../../lib/images/gemini-provider.ts";
import { ImageProviderError, isPng, PNG_SIGNATURE, type ChildImageInput, type PartnerImageInput } from "../../lib/images/provider.ts";
import { selectImageProvider } from "../../lib/images/select.ts";
import type { RetryPolicy } from "../../lib/providers/gemini-call.ts";
import {
  geminiBlocked,
  geminiCandidateBody,
  geminiEmpty,
  geminiError,
  geminiErrors,
  geminiFinished,
  geminiImages,
  geminiText,
  inSequence,
  startFakeGemini,
  type FakeGemini,
  type FakeGeminiResponse,
} from "../fakes/gemini-server.ts";
import { captureLogs, type CapturedLogs } from "../helpers/captured-logs.ts";

const API_KEY = "test-gemini-key-5c1d9e";
// The production policy's attempts, with waits short enough for a test.
const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 20, maxDelayMs: 80, minAttemptMs: 50 };

let fake: FakeGemini;
let png: Buffer;
let jpeg: Buffer;
let logs: CapturedLogs;

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY });
  png = await sharp({ create: { width: 64, height: 64, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer();
  jpeg = await sharp({ create: { width: 48, height: 40, channels: 3, background: { r: 200, g: 120, b: 30 } } })
    .jpeg()
    .toBuffer();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(() => pngAnswer());
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
});

const pngAnswer = (): FakeGeminiResponse => geminiImages([{ mimeType: "image/png", data: png.toString("base64") }]);

const provider = (options: { model?: string; apiKey?: string } = {}) =>
  createGeminiImageProvider({
    apiKey: options.apiKey ?? API_KEY,
    baseUrl: fake.baseUrl,
    logger: logs.logger,
    retry: FAST_RETRY,
    ...(options.model ? { model: options.model } : {}),
  });
const signal = () => AbortSignal.timeout(10_000);
const inSeconds = (seconds: number) => ({ deadline: Date.now() + seconds * 1000 });

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

const logged = (message: string) => logs.records().filter((record) => record.message === message);

describe("Gemini image provider against the fake Gemini API: requests", () => {
  it("asks the configured model for a 1K square image, prompted from the partner profile, with the key in a header only", async () => {
    // Act
    const result = await provider().generate(partner, signal());
    // Assess
    expect(result.equals(png)).toBe(true);
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request).toMatchObject({ method: "POST", model: DEFAULT_GEMINI_IMAGE_MODEL, action: "generateContent" });
    expect(request?.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(request?.url).not.toContain(API_KEY);
    expect(request?.url).not.toMatch(/[?&]key=/);
    expect(field(request?.body, "generationConfig", "responseModalities")).toEqual(["IMAGE"]);
    expect(field(request?.body, "generationConfig", "imageConfig")).toEqual({ aspectRatio: "1:1", imageSize: "1K" });
    const parts = field(request?.body, "contents", 0, "parts");
    expect(Array.isArray(parts) && parts.length).toBe(1);
    const prompt = String(field(parts, 0, "text"));
    expect(prompt).toContain("long dark hair and a warm smile");
    expect(prompt).toContain("kind, funny and calm");
  });

  it("uses a current default model, not one Google has retired", () => {
    expect(DEFAULT_GEMINI_IMAGE_MODEL).toBe("gemini-nano-banana-2.1");
  });

  it("sends the user photo and the partner picture inline for the child, with the child's name and gender", async () => {
    await provider({ model: "gemini-test-image" }).generate(child(), signal());

    const request = fake.requests[0];
    expect(request?.model).toBe("gemini-test-image");
    const parts = field(request?.body, "contents", 0, "parts");
    expect(String(field(parts, 0, "text"))).toContain("Sakura");
    expect(String(field(parts, 0, "text"))).toContain("daughter");
    expect(field(parts, 1, "inlineData")).toEqual({ mimeType: "image/jpeg", data: jpeg.toString("base64") });
    expect(field(parts, 2, "inlineData")).toEqual({ mimeType: "image/png", data: png.toString("base64") });
  });

  it("returns the first image part, after any text, and converts a JPEG to PNG", async () => {
    fake.respondWith(() =>
      geminiImages(
        [
          { mimeType: "image/jpeg", data: jpeg.toString("base64") },
          { mimeType: "image/png", data: png.toString("base64") },
        ],
        "Here you go",
      ),
    );

    const result = await provider().generate(partner, signal());

    expect(isPng(result)).toBe(true);
    expect(await sharp(result).metadata()).toMatchObject({ format: "png", width: 48, height: 40 });
  });

  it("logs a success with the model, the model version, the response id, the latency and the tokens", async () => {
    await provider().generate(partner, signal());

    const [success] = logged("gemini call succeeded");
    expect(success).toMatchObject({
      level: "INFO",
      use: "image",
      model: DEFAULT_GEMINI_IMAGE_MODEL,
      modelVersion: DEFAULT_GEMINI_IMAGE_MODEL,
      attempts: 1,
      promptTokens: 300,
      outputTokens: 1290,
      finishReason: "STOP",
    });
    expect(success?.responseId).toMatch(/^[A-Za-z0-9_-]{10,}$/);
    expect(typeof success?.latencyMs).toBe("number");
  });

  it("warns when the API reports the model as deprecated, so the operator changes it before it goes", async () => {
    fake.respondWith(() => {
      const answer = pngAnswer();
      return { json: { ...(answer.json as object), modelStatus: { modelStage: "DEPRECATED", retirementTime: "2027-03-01T00:00:00Z" } } };
    });

    await provider().generate(partner, signal());

    expect(logged("gemini model is being retired")[0]).toMatchObject({
      level: "WARN",
      model: DEFAULT_GEMINI_IMAGE_MODEL,
      modelStage: "DEPRECATED",
      retirementTime: "2027-03-01T00:00:00Z",
    });
  });
});

describe("Gemini image provider: refusals are refusals", () => {
  it.each<[string, () => FakeGeminiResponse, Record<string, unknown>]>([
    ["the prompt blocked for SAFETY", () => geminiBlocked("SAFETY"), { blockReason: "SAFETY" }],
    ["the prompt blocked for PROHIBITED_CONTENT", () => geminiBlocked("PROHIBITED_CONTENT"), { blockReason: "PROHIBITED_CONTENT" }],
    ["the prompt blocked for OTHER", () => geminiBlocked("OTHER"), { blockReason: "OTHER" }],
    ["a candidate stopped for SAFETY", () => geminiFinished("SAFETY"), { finishReason: "SAFETY" }],
    ["a candidate stopped for IMAGE_SAFETY", () => geminiFinished("IMAGE_SAFETY"), { finishReason: "IMAGE_SAFETY" }],
    ["a candidate stopped for PROHIBITED_CONTENT", () => geminiFinished("PROHIBITED_CONTENT"), { finishReason: "PROHIBITED_CONTENT" }],
    [
      "a candidate stopped for IMAGE_PROHIBITED_CONTENT",
      () => geminiFinished("IMAGE_PROHIBITED_CONTENT"),
      { finishReason: "IMAGE_PROHIBITED_CONTENT" },
    ],
    [
      "a candidate stopped for NO_IMAGE, saying why",
      () => geminiFinished("NO_IMAGE", [{ text: "I can't make that picture." }]),
      { finishReason: "NO_IMAGE", textOnly: true },
    ],
    ["a candidate stopped for IMAGE_OTHER", () => geminiFinished("IMAGE_OTHER"), { finishReason: "IMAGE_OTHER" }],
    ["a candidate stopped for OTHER", () => geminiFinished("OTHER"), { finishReason: "OTHER" }],
    ["an answer without any candidate", () => geminiEmpty(), {}],
    ["a candidate without content", () => ({ json: geminiCandidateBody([]) }), { finishReason: "STOP" }],
    [
      "only text, the model explaining why it will not",
      () => geminiText("I can't create images of real people's children."),
      { finishReason: "STOP", textOnly: true },
    ],
  ])("fails with provider_refused, once, for %s", async (_label, answer, diagnostics) => {
    fake.respondWith(answer);

    const error = await failure(provider().generate(child(), signal(), inSeconds(10)));

    expect(error.code).toBe("provider_refused");
    // Declined once is declined: asking again the same way only costs.
    expect(fake.requests).toHaveLength(1);
    expect(logged("gemini call failed")[0]).toMatchObject({
      level: "WARN",
      use: "image",
      model: DEFAULT_GEMINI_IMAGE_MODEL,
      failure: "refused",
      attempts: 1,
      ...diagnostics,
    });
  });

  it("fails with provider_bad_response for garbage, bytes that are no image, or an empty image part, without retrying", async () => {
    const answers = [
      { rawBody: "<html>not json</html>", headers: { "content-type": "application/json" } },
      geminiImages([{ mimeType: "image/png", data: Buffer.concat([PNG_SIGNATURE, Buffer.from("not really a png")]).toString("base64") }]),
      geminiImages([{ mimeType: "image/png", data: "" }]),
    ];
    for (const answer of answers) {
      fake.requests.length = 0;
      fake.respondWith(() => answer);
      const error = await failure(provider().generate(partner, signal()));
      expect(error.code).toBe("provider_bad_response");
      expect(fake.requests).toHaveLength(1);
    }
  });
});

describe("Gemini image provider: transient errors are retried, briefly", () => {
  it("retries a 503 and a 500 with back-off and returns the picture of the third attempt", async () => {
    fake.respondWith(inSequence(geminiErrors.unavailable(), geminiErrors.internal(), pngAnswer()));

    const result = await provider().generate(partner, signal(), inSeconds(10));

    expect(result.equals(png)).toBe(true);
    expect(fake.requests).toHaveLength(3);
    expect(logged("gemini call will be retried")).toMatchObject([
      { level: "WARN", failure: "unavailable", httpStatus: 503, apiStatus: "UNAVAILABLE", attempt: 1 },
      { level: "WARN", failure: "unavailable", httpStatus: 500, apiStatus: "INTERNAL", attempt: 2 },
    ]);
    expect(logged("gemini call succeeded")[0]).toMatchObject({ attempts: 3 });
  });

  it.each<[number, () => FakeGeminiResponse]>([
    [500, geminiErrors.internal],
    [502, geminiErrors.badGateway],
    [503, geminiErrors.unavailable],
    [504, geminiErrors.deadlineExceeded],
  ])("retries HTTP %s", async (_status, error) => {
    fake.respondWith(inSequence(error(), pngAnswer()));

    await provider().generate(partner, signal(), inSeconds(10));

    expect(fake.requests).toHaveLength(2);
  });

  it("gives up after three attempts with provider_unavailable and the last status", async () => {
    fake.respondWith(() => geminiErrors.unavailable());

    const error = await failure(provider().generate(partner, signal(), inSeconds(10)));

    expect(error).toMatchObject({ code: "provider_unavailable", status: 503 });
    expect(fake.requests).toHaveLength(3);
    expect(logged("gemini call failed")[0]).toMatchObject({
      level: "WARN",
      failure: "unavailable",
      httpStatus: 503,
      apiStatus: "UNAVAILABLE",
      attempts: 3,
    });
  });

  it("waits for the RetryInfo delay of a 429 before trying again", async () => {
    fake.respondWith(inSequence(geminiErrors.rateLimited({ retryDelay: "0.4s" }), pngAnswer()));

    await provider().generate(partner, signal(), inSeconds(10));

    expect(fake.requests).toHaveLength(2);
    const [first, second] = fake.requests;
    // The back-off alone would be at most 80 ms here.
    expect((second?.receivedAt ?? 0) - (first?.receivedAt ?? 0)).toBeGreaterThanOrEqual(380);
    expect(logged("gemini call will be retried")[0]).toMatchObject({
      failure: "rate_limited",
      httpStatus: 429,
      apiStatus: "RESOURCE_EXHAUSTED",
      retryDelayMs: 400,
      waitMs: 400,
    });
  });

  it("does not wait for a RetryInfo delay that ends after the deadline: provider_rate_limited at once, with the quota", async () => {
    fake.respondWith(() => geminiErrors.rateLimited({ retryDelay: "30s", quotaId: "GenerateRequestsPerDayPerProjectPerModel" }));
    const started = Date.now();

    const error = await failure(provider().generate(partner, signal(), inSeconds(5)));

    expect(error).toMatchObject({ code: "provider_rate_limited", status: 429 });
    expect(fake.requests).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(logged("gemini call failed")[0]).toMatchObject({
      failure: "rate_limited",
      quotaId: "GenerateRequestsPerDayPerProjectPerModel",
      retryDelayMs: 30_000,
      attempts: 1,
    });
  });

  it("gives up on a 429 without RetryInfo after three attempts with provider_rate_limited", async () => {
    fake.respondWith(() => geminiErrors.rateLimited());

    const error = await failure(provider().generate(partner, signal(), inSeconds(10)));

    expect(error.code).toBe("provider_rate_limited");
    expect(fake.requests).toHaveLength(3);
  });

  it("starts no attempt that would end after the deadline, and says why it stopped rather than timing out", async () => {
    fake.respondWith(() => ({ ...geminiErrors.unavailable(), delayMs: 150 }));
    const started = Date.now();

    const error = await failure(
      createGeminiImageProvider({
        apiKey: API_KEY,
        baseUrl: fake.baseUrl,
        logger: logs.logger,
        retry: { baseDelayMs: 20, maxDelayMs: 20, minAttemptMs: 300 },
      }).generate(partner, signal(), { deadline: started + 600 }),
    );

    expect(error.code).toBe("provider_unavailable");
    expect(fake.requests.length).toBeLessThan(3);
    expect(Date.now() - started).toBeLessThan(600);
  });

  it("gets the job's deadline through the configured provider too", async () => {
    fake.respondWith(() => geminiErrors.rateLimited({ retryDelay: "30s" }));
    const selected = selectImageProvider({ provider: "gemini", model: "gemini-selected", apiKey: API_KEY, baseUrl: fake.baseUrl });

    const error = await failure(selected.generate(partner, signal(), inSeconds(5)));

    expect(error.code).toBe("provider_rate_limited");
    expect(fake.requests).toHaveLength(1);
  });
});

describe("Gemini image provider: what is not transient is not retried", () => {
  it.each<[string, () => FakeGeminiResponse, Record<string, unknown>]>([
    ["400 INVALID_ARGUMENT", () => geminiErrors.invalidArgument(), { httpStatus: 400, apiStatus: "INVALID_ARGUMENT" }],
    ["400 for a bad key", () => geminiErrors.invalidKey(), { httpStatus: 400, apiStatus: "INVALID_ARGUMENT", reason: "API_KEY_INVALID" }],
    ["401 UNAUTHENTICATED", () => geminiErrors.unauthenticated(), { httpStatus: 401, apiStatus: "UNAUTHENTICATED" }],
    [
      "403 PERMISSION_DENIED",
      () => geminiErrors.permissionDenied(),
      { httpStatus: 403, apiStatus: "PERMISSION_DENIED", reason: "CONSUMER_INVALID" },
    ],
  ])("fails at once with provider_rejected_request on %s, logged as an error", async (_label, answer, diagnostics) => {
    fake.respondWith(answer);

    const error = await failure(provider().generate(partner, signal(), inSeconds(10)));

    expect(error.code).toBe("provider_rejected_request");
    expect(fake.requests).toHaveLength(1);
    expect(logged("gemini call failed")[0]).toMatchObject({ level: "ERROR", failure: "rejected_request", attempts: 1, ...diagnostics });
  });

  it("tells a bad key apart: the API's own answer to a wrong key", async () => {
    const error = await failure(provider({ apiKey: "not-the-right-key" }).generate(partner, signal()));

    expect(error.code).toBe("provider_rejected_request");
    expect(logged("gemini call failed")[0]).toMatchObject({ failure: "rejected_request", httpStatus: 400, reason: "API_KEY_INVALID" });
  });

  it.each<[string, (model: string) => FakeGeminiResponse]>([
    ["not found", geminiErrors.modelNotFound],
    ["no longer available to new users", geminiErrors.modelNoLongerAvailable],
  ])("fails at once with model_unavailable when the model is %s, so the operator changes IMAGE_MODEL", async (_label, answer) => {
    fake.respondWith((request) => answer(request.model ?? "?"));

    const error = await failure(provider({ model: "gemini-2.5-flash-image" }).generate(partner, signal(), inSeconds(10)));

    expect(error).toMatchObject({ code: "model_unavailable", status: 404 });
    expect(fake.requests).toHaveLength(1);
    expect(logged("gemini call failed")[0]).toMatchObject({
      level: "ERROR",
      use: "image",
      model: "gemini-2.5-flash-image",
      failure: "model_unavailable",
      httpStatus: 404,
      apiStatus: "NOT_FOUND",
    });
  });

  it("fails with generation_timeout as soon as the deadline passes, without waiting for a slow answer", async () => {
    fake.respondWith(() => ({ ...pngAnswer(), delayMs: 5000 }));

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

describe("Gemini image provider: log lines carry what an operator needs and nothing of the user's", () => {
  it("never logs the key, the prompt, the profile, the pictures or the model's text", async () => {
    const refusalText = "I will not draw Sakura, a child of these two people.";
    const echoingError = geminiError(
      400,
      `Invalid value at 'contents[0].parts[0].text' (${partner.partner.appearance}); key ${API_KEY}`,
      "INVALID_ARGUMENT",
    );
    const scenarios: FakeGeminiResponse[] = [
      pngAnswer(),
      geminiText(refusalText),
      echoingError,
      geminiErrors.rateLimited({ retryDelay: "60s" }),
      geminiErrors.modelNotFound(DEFAULT_GEMINI_IMAGE_MODEL),
    ];

    for (const answer of scenarios) {
      fake.respondWith(() => answer);
      await provider()
        .generate(child(), signal(), inSeconds(5))
        .catch(() => undefined);
      await provider()
        .generate(partner, signal(), inSeconds(5))
        .catch(() => undefined);
    }

    const text = logs.text();
    expect(logs.records().length).toBeGreaterThanOrEqual(10);
    for (const secret of [
      API_KEY,
      partner.partner.name,
      partner.partner.appearance,
      partner.partner.temperament,
      "Sakura",
      refusalText,
      "Invalid value",
      png.toString("base64").slice(0, 24),
      jpeg.toString("base64").slice(0, 24),
    ]) {
      expect(text).not.toContain(secret);
    }
    const failures = logged("gemini call failed");
    expect(failures.map((record) => record.failure)).toEqual([
      "refused",
      "refused",
      "rejected_request",
      "rejected_request",
      "rate_limited",
      "rate_limited",
      "model_unavailable",
      "model_unavailable",
    ]);
    for (const record of failures) {
      expect(record).toMatchObject({ use: "image", model: DEFAULT_GEMINI_IMAGE_MODEL });
      expect(typeof record.latencyMs).toBe("number");
    }
  });
});
