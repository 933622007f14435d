import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatProviderError, type ChatProviderErrorCode, type ChatTurnInput } from "../../lib/interview/chat-provider.ts";
import { CHAT_MAX_OUTPUT_TOKENS, DEFAULT_GEMINI_MODEL, createGeminiInterviewer } from "../../lib/interview/gemini-interviewer.ts";
import type { Profile } from "../../lib/interview/profile.ts";
import type { RetryPolicy } from "../../lib/providers/gemini-call.ts";
import {
  geminiBlocked,
  geminiCandidateBody,
  geminiError,
  geminiErrors,
  geminiFinished,
  geminiJson,
  geminiText,
  inSequence,
  startFakeGemini,
  type FakeGemini,
  type FakeGeminiResponse,
} from "../fakes/gemini-server.ts";
import { captureLogs, type CapturedLogs } from "../helpers/captured-logs.ts";

const API_KEY = "test-gemini-key-93be0f";
const FAST_RETRY: Partial<RetryPolicy> = { baseDelayMs: 20, maxDelayMs: 80, minAttemptMs: 50 };

let fake: FakeGemini;
let logs: CapturedLogs;

beforeAll(async () => {
  fake = await startFakeGemini({ apiKey: API_KEY });
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(() => geminiJson({ reply: "OK", extracted: {} }));
  logs = captureLogs();
});

afterEach(() => {
  logs.restore();
});

function interviewer(options: { model?: string; budgetMs?: number; apiKey?: string } = {}) {
  return createGeminiInterviewer({
    apiKey: options.apiKey ?? API_KEY,
    baseUrl: fake.baseUrl,
    logger: logs.logger,
    retry: FAST_RETRY,
    ...(options.model === undefined ? {} : { model: options.model }),
    ...(options.budgetMs === undefined ? {} : { budgetMs: options.budgetMs }),
  });
}

const turn = (overrides: Partial<ChatTurnInput> = {}): ChatTurnInput => ({
  locale: "ja",
  profile: {},
  history: [{ role: "assistant", text: "こんにちは！まず、年齢を教えてください。" }],
  text: "32歳です",
  ...overrides,
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isRecord(current) ? current[key] : undefined;
  return current;
}

async function rejection(promise: Promise<unknown>): Promise<ChatProviderError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(ChatProviderError);
  if (!(error instanceof ChatProviderError)) throw new Error("expected a ChatProviderError");
  return error;
}

const logged = (message: string) => logs.records().filter((record) => record.message === message);

describe("Gemini interviewer against the fake Gemini API: requests", () => {
  it("sends the key header, the model path, the system instruction, the history and the response schema", async () => {
    await interviewer().reply(turn());
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/v1beta/models/${DEFAULT_GEMINI_MODEL}:generateContent`);
    expect(request?.model).toBe("gemini-3.5-flash-lite");
    expect(request?.headers["x-goog-api-key"]).toBe(API_KEY);
    expect(request?.url).not.toContain(API_KEY);
    expect(request?.url).not.toMatch(/[?&]key=/);
    expect(request?.headers["content-type"]).toContain("application/json");

    const body = request?.body;
    expect(field(body, "generationConfig", "responseMimeType")).toBe("application/json");
    expect(field(body, "generationConfig", "responseSchema", "type")).toBe("OBJECT");
    expect(field(body, "generationConfig", "responseSchema", "required")).toEqual(["reply", "extracted"]);
    expect(field(body, "generationConfig", "responseSchema", "properties", "reply", "type")).toBe("STRING");
    const extracted = field(body, "generationConfig", "responseSchema", "properties", "extracted", "properties");
    expect(Object.keys(isRecord(extracted) ? extracted : {})).toEqual([
      "age",
      "gender",
      "relationshipStatus",
      "location",
      "incomeRange",
      "personality",
      "partner",
      "children",
    ]);
    expect(field(extracted, "gender", "enum")).toEqual(["female", "male", "other"]);
    expect(field(extracted, "children", "items", "properties", "desiredGender", "enum")).toEqual(["female", "male", "either"]);

    const instruction = JSON.stringify(field(body, "systemInstruction"));
    expect(instruction).toContain("インタビュアー");
    expect(instruction).toContain("age, gender, relationshipStatus");
    // The last turn is the user's: the newer models refuse a request that ends with the model's own turn.
    expect(field(body, "contents")).toEqual([
      { role: "model", parts: [{ text: "こんにちは！まず、年齢を教えてください。" }] },
      { role: "user", parts: [{ text: "32歳です" }] },
    ]);
  });

  it("bounds the answer and the thinking, and sends no sampling parameter (deprecated, ignored by 3.x models)", async () => {
    await interviewer().reply(turn());

    const config = field(fake.requests[0]?.body, "generationConfig");
    expect(field(config, "maxOutputTokens")).toBe(CHAT_MAX_OUTPUT_TOKENS);
    expect(field(config, "thinkingConfig")).toEqual({ thinkingLevel: "MINIMAL" });
    expect(field(config, "temperature")).toBeUndefined();
    expect(field(config, "topP")).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>]>([
    ["gemini-3.8-flash", { thinkingLevel: "LOW" }],
    ["gemini-2.5-flash-lite", { thinkingBudget: 0 }],
  ])("keeps the thinking small for %s in the way that model takes it", async (model, thinkingConfig) => {
    await interviewer({ model }).reply(turn());

    expect(fake.requests[0]?.path).toBe(`/v1beta/models/${model}:generateContent`);
    expect(field(fake.requests[0]?.body, "generationConfig", "thinkingConfig")).toEqual(thinkingConfig);
  });

  it("writes the system instruction in the session's locale and uses a configured model", async () => {
    await interviewer({ model: "gemini-test-model" }).reply(turn({ locale: "en", history: [], text: "I'm 32" }));
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1beta/models/gemini-test-model:generateContent");
    const instruction = JSON.stringify(field(request?.body, "systemInstruction"));
    expect(instruction).toContain("You are the interviewer");
    expect(instruction).toContain("reply is in English");
  });

  it("opens a session without calling the model", async () => {
    const question = await interviewer().firstQuestion({ locale: "en", profile: {} });
    expect(question).toContain("how old are you");
    expect(fake.requests).toHaveLength(0);
  });
});

describe("Gemini interviewer: answers", () => {
  it("parses a good response into reply, extracted values and field names, and logs the tokens", async () => {
    fake.respondWith(() =>
      geminiJson({
        reply: "ありがとうございます。性別を教えてください。",
        extracted: { age: 32, personality: { openness: 0.75 }, children: [{ name: "さくら", desiredGender: "female" }] },
      }),
    );
    const result = await interviewer().reply(turn());
    expect(result).toEqual({
      reply: "ありがとうございます。性別を教えてください。",
      extracted: { age: 32, personality: { openness: 0.75 }, children: [{ name: "さくら", desiredGender: "female" }] },
      extractedFields: ["age", "personality", "children"],
    });
    expect(logged("gemini call succeeded")[0]).toMatchObject({
      level: "INFO",
      use: "chat",
      model: DEFAULT_GEMINI_MODEL,
      modelVersion: DEFAULT_GEMINI_MODEL,
      promptTokens: 120,
      outputTokens: 40,
      attempts: 1,
    });
  });

  it("drops invalid extracted values and values the profile already holds", async () => {
    fake.respondWith(() =>
      geminiJson({
        reply: "Got it.",
        extracted: {
          age: 500,
          gender: "robot",
          relationshipStatus: "single",
          location: "",
          incomeRange: 5,
          personality: { openness: 2, extraversion: 0.5 },
          partner: { name: "x".repeat(80), temperament: "calm", favouriteFood: "ramen" },
          children: [{ desiredGender: "male" }, { name: "Taro", desiredGender: "dragon" }],
          secret: "nope",
        },
      }),
    );
    const profile: Profile = { relationshipStatus: "single" };
    const result = await interviewer().reply(turn({ profile }));
    expect(result.extracted).toEqual({
      personality: { extraversion: 0.5 },
      partner: { temperament: "calm" },
      children: [{ name: "Taro" }],
    });
    expect(result.extractedFields).toEqual(["personality", "partner", "children"]);
  });

  it("ignores thought parts and accepts a fenced JSON answer", async () => {
    fake.respondWith(() => ({
      json: geminiCandidateBody([
        { text: "thinking about it", thought: true },
        { text: '```json\n{"reply":"Hi","extracted":{"gender":"female"}}\n```' },
      ]),
    }));
    const result = await interviewer().reply(turn());
    expect(result).toEqual({ reply: "Hi", extracted: { gender: "female" }, extractedFields: ["gender"] });
  });

  it.each<[string, () => FakeGeminiResponse]>([
    ["a non-JSON text", () => geminiText("Sure! How old are you?")],
    ["JSON without reply", () => geminiJson({ extracted: { age: 32 } })],
    ["an empty reply", () => geminiJson({ reply: "  ", extracted: {} })],
    ["a JSON array", () => geminiJson([1, 2, 3])],
    ["JSON cut off at MAX_TOKENS", () => geminiText('{"reply":"How old are y', "MAX_TOKENS")],
    ["complete JSON that still stopped at MAX_TOKENS", () => geminiText('{"reply":"How old are you?","extracted":{}}', "MAX_TOKENS")],
    ["an empty candidate", () => ({ json: geminiCandidateBody([]) })],
    ["a garbage HTTP body", () => ({ rawBody: "<html>oops</html>" })],
  ])("maps %s to chat_provider_bad_response, without retrying", async (_label, answer) => {
    fake.respondWith(answer);
    const error = await rejection(interviewer().reply(turn()));
    expect(error.code).toBe("chat_provider_bad_response");
    expect(error.message).not.toContain("How old");
    expect(fake.requests).toHaveLength(1);
  });

  it.each<[string, () => FakeGeminiResponse, Record<string, unknown>]>([
    ["a blocked prompt", () => geminiBlocked("PROHIBITED_CONTENT"), { blockReason: "PROHIBITED_CONTENT" }],
    ["a SAFETY stop", () => geminiFinished("SAFETY"), { finishReason: "SAFETY" }],
    ["a BLOCKLIST stop with partial text", () => geminiFinished("BLOCKLIST", [{ text: '{"reply":"' }]), { finishReason: "BLOCKLIST" }],
  ])("maps %s to chat_provider_refused", async (_label, answer, diagnostics) => {
    fake.respondWith(answer);
    const error = await rejection(interviewer().reply(turn()));
    expect(error.code).toBe("chat_provider_refused");
    expect(fake.requests).toHaveLength(1);
    expect(logged("gemini call failed")[0]).toMatchObject({ use: "chat", failure: "refused", ...diagnostics });
  });
});

describe("Gemini interviewer: errors", () => {
  it("retries a 503 and answers from the second attempt", async () => {
    fake.respondWith(inSequence(geminiErrors.unavailable(), geminiJson({ reply: "Thanks!", extracted: { age: 32 } })));

    const result = await interviewer().reply(turn());

    expect(result.extracted).toEqual({ age: 32 });
    expect(fake.requests).toHaveLength(2);
  });

  it.each<[string, () => FakeGeminiResponse, ChatProviderErrorCode, number, number]>([
    ["429", () => geminiErrors.rateLimited(), "chat_provider_rate_limited", 429, 3],
    ["500", geminiErrors.internal, "chat_provider_unavailable", 500, 3],
    ["503", geminiErrors.unavailable, "chat_provider_unavailable", 503, 3],
    ["400", () => geminiErrors.invalidArgument(), "chat_provider_rejected_request", 400, 1],
    ["401", geminiErrors.unauthenticated, "chat_provider_rejected_request", 401, 1],
    ["403", geminiErrors.permissionDenied, "chat_provider_rejected_request", 403, 1],
    ["404", () => geminiErrors.modelNotFound(DEFAULT_GEMINI_MODEL), "chat_model_unavailable", 404, 1],
  ])("maps HTTP %s to %s after %s attempt(s)", async (_label, answer, code, status, attempts) => {
    fake.respondWith(answer);
    const error = await rejection(interviewer().reply(turn()));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    // The SDK itself never retries behind our back: these are exactly the attempts of our own policy.
    expect(fake.requests).toHaveLength(attempts);
    expect(logged("gemini call failed")[0]).toMatchObject({ use: "chat", model: DEFAULT_GEMINI_MODEL, httpStatus: status, attempts });
  });

  it("logs a missing model as model_unavailable, an error an operator must act on", async () => {
    fake.respondWith((request) => geminiErrors.modelNotFound(request.model ?? "?"));

    await rejection(interviewer({ model: "gemini-2.5-flash" }).reply(turn()));

    expect(logged("gemini call failed")[0]).toMatchObject({
      level: "ERROR",
      use: "chat",
      model: "gemini-2.5-flash",
      failure: "model_unavailable",
      httpStatus: 404,
      apiStatus: "NOT_FOUND",
    });
  });

  it("stays within its budget: retries end before it, not after", async () => {
    fake.respondWith(() => ({ ...geminiErrors.unavailable(), delayMs: 100 }));
    const started = Date.now();

    const error = await rejection(interviewer({ budgetMs: 400 }).reply(turn()));

    expect(error.code).toBe("chat_provider_unavailable");
    expect(Date.now() - started).toBeLessThan(600);
  });

  it("maps an unreachable endpoint to chat_provider_unavailable", async () => {
    const closed = await startFakeGemini();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const error = await rejection(
      createGeminiInterviewer({ apiKey: API_KEY, baseUrl, logger: logs.logger, retry: FAST_RETRY }).reply(turn()),
    );
    expect(error.code).toBe("chat_provider_unavailable");
  });

  it("ends quickly when the signal aborts during a slow answer", async () => {
    fake.respondWith(() => ({ ...geminiJson({ reply: "late", extracted: {} }), delayMs: 10_000 }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 50);
    const error = await rejection(interviewer().reply(turn(), controller.signal));
    expect(error.code).toBe("chat_provider_unavailable");
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("ends quickly when the signal aborts while waiting to retry", async () => {
    fake.respondWith(() => geminiErrors.rateLimited({ retryDelay: "5s" }));
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(interviewer({ budgetMs: 9000 }).reply(turn(), controller.signal));
    expect(error.code).toBe("chat_provider_unavailable");
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(fake.requests).toHaveLength(1);
  });

  it("does not call the API with an already aborted signal", async () => {
    const error = await rejection(interviewer().reply(turn(), AbortSignal.abort()));
    expect(error.code).toBe("chat_provider_unavailable");
    expect(fake.requests).toHaveLength(0);
  });

  it("never logs the key, the user's messages, the profile or the reply", async () => {
    const secretReply = "ありがとう、ミナトさん。次はご職業を。";
    const profile: Profile = { location: "札幌市中央区", partner: { name: "ミナト" } };
    const scenarios: FakeGeminiResponse[] = [
      geminiJson({ reply: secretReply, extracted: {} }),
      geminiText(`not json: ${secretReply}`),
      geminiError(400, `Invalid value at 'contents[1].parts[0].text' (32歳です, 札幌市中央区) for key ${API_KEY}`, "INVALID_ARGUMENT"),
      geminiErrors.rateLimited({ retryDelay: "1s" }),
    ];

    for (const answer of scenarios) {
      fake.respondWith(() => answer);
      await interviewer({ budgetMs: 500 })
        .reply(turn({ profile }))
        .catch(() => undefined);
    }

    const text = logs.text();
    expect(logs.records().length).toBeGreaterThanOrEqual(4);
    for (const secret of [API_KEY, "32歳です", "こんにちは", "札幌", "ミナト", secretReply, "Invalid value"])
      expect(text).not.toContain(secret);
    expect(logged("gemini call failed").map((record) => record.failure)).toEqual(["bad_response", "rejected_request", "rate_limited"]);
  });
});
