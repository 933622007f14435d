import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ChatProviderError, type ChatTurnInput } from "../../lib/interview/chat-provider.ts";
import { DEFAULT_GEMINI_MODEL, createGeminiInterviewer } from "../../lib/interview/gemini-interviewer.ts";
import type { Profile } from "../../lib/interview/profile.ts";
import { geminiCandidateBody, geminiError, geminiJson, geminiText, startFakeGemini, type FakeGemini } from "../fakes/gemini-server.ts";

const API_KEY = "test-gemini-key";

let fake: FakeGemini;

beforeAll(async () => {
  fake = await startFakeGemini();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.requests.length = 0;
  fake.respondWith(() => geminiJson({ reply: "OK", extracted: {} }));
});

function interviewer(model?: string) {
  return createGeminiInterviewer({ apiKey: API_KEY, baseUrl: fake.baseUrl, ...(model === undefined ? {} : { model }) });
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

describe("Gemini interviewer against the fake Gemini API", () => {
  it("sends the key header, the model path, the system instruction, the history and the response schema", async () => {
    await interviewer().reply(turn());
    expect(fake.requests).toHaveLength(1);
    const request = fake.requests[0];
    expect(request?.method).toBe("POST");
    expect(request?.path).toBe(`/v1beta/models/${DEFAULT_GEMINI_MODEL}:generateContent`);
    expect(request?.model).toBe("gemini-2.5-flash");
    expect(request?.headers["x-goog-api-key"]).toBe(API_KEY);
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
    expect(field(body, "contents")).toEqual([
      { role: "model", parts: [{ text: "こんにちは！まず、年齢を教えてください。" }] },
      { role: "user", parts: [{ text: "32歳です" }] },
    ]);
  });

  it("writes the system instruction in the session's locale and uses a configured model", async () => {
    await interviewer("gemini-test-model").reply(turn({ locale: "en", history: [], text: "I'm 32" }));
    const request = fake.requests[0];
    expect(request?.path).toBe("/v1beta/models/gemini-test-model:generateContent");
    const instruction = JSON.stringify(field(request?.body, "systemInstruction"));
    expect(instruction).toContain("You are the interviewer");
    expect(instruction).toContain("reply is in English");
  });

  it("parses a good response into reply, extracted values and field names", async () => {
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

  it.each<[string, number]>([
    ["500", 500],
    ["503", 503],
    ["429", 429],
    ["403", 403],
  ])("maps HTTP %s to chat_provider_unavailable", async (_label, status) => {
    fake.respondWith(() => geminiError(status));
    const error = await rejection(interviewer().reply(turn()));
    expect(error.code).toBe("chat_provider_unavailable");
    expect(error.status).toBe(status);
    // One call only: the SDK must not retry behind our back.
    expect(fake.requests).toHaveLength(1);
  });

  it.each<[string, () => ReturnType<typeof geminiText>]>([
    ["a non-JSON text", () => geminiText("Sure! How old are you?")],
    ["JSON without reply", () => geminiJson({ extracted: { age: 32 } })],
    ["an empty reply", () => geminiJson({ reply: "  ", extracted: {} })],
    ["a JSON array", () => geminiJson([1, 2, 3])],
    ["no candidates", () => ({ json: { promptFeedback: { blockReason: "SAFETY" } } })],
    ["an empty candidate", () => ({ json: geminiCandidateBody([]) })],
    ["a garbage HTTP body", () => ({ rawBody: "<html>oops</html>" })],
  ])("maps %s to chat_provider_bad_response", async (_label, answer) => {
    fake.respondWith(answer);
    const error = await rejection(interviewer().reply(turn()));
    expect(error.code).toBe("chat_provider_bad_response");
    expect(error.message).not.toContain("How old");
  });

  it("maps an unreachable endpoint to chat_provider_unavailable", async () => {
    const closed = await startFakeGemini();
    const baseUrl = closed.baseUrl;
    await closed.close();
    const error = await rejection(createGeminiInterviewer({ apiKey: API_KEY, baseUrl }).reply(turn()));
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

  it("does not call the API with an already aborted signal", async () => {
    const error = await rejection(interviewer().reply(turn(), AbortSignal.abort()));
    expect(error.code).toBe("chat_provider_unavailable");
    expect(fake.requests).toHaveLength(0);
  });

  it("opens a session without calling the model", async () => {
    const question = await interviewer().firstQuestion({ locale: "en", profile: {} });
    expect(question).toContain("how old are you");
    expect(fake.requests).toHaveLength(0);
  });
});
