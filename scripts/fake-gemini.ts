import { createHash } from "node:crypto";
import { parseArgs } from "node:util";
import sharp from "sharp";
import { createLocalInterviewer } from "../lib/interview/local-interviewer.ts";
import type { ChatMessage } from "../lib/interview/chat-provider.ts";
import type { Locale } from "../lib/schemas/sessions.ts";
import type { Profile } from "../lib/interview/profile.ts";
import {
  geminiErrors,
  geminiImages,
  geminiJson,
  geminiText,
  RETIRED_GEMINI_MODELS,
  startFakeGemini,
  type FakeGeminiRequest,
  type FakeGeminiResponse,
} from "../test/fakes/gemini-server.ts";

// `npm run fake:gemini`: the test fake of the Gemini API as a server of its own, for trying the local stack with
// CHAT_PROVIDER=gemini / IMAGE_PROVIDER=gemini through the real SDK and the real error handling, without a key or
// a cost. It answers the interview with the local interviewer's logic (so the interview goes on), draws a plain
// picture, and can play the failures of the real API. Listens on loopback only; never logs a prompt.

const SCENARIOS = {
  ok: "every call succeeds",
  "refuse-child": "the child picture (two photos inline) is declined with text only, as the real model often does",
  flaky: "every other call answers 503 UNAVAILABLE (the providers retry it)",
  quota: "every call answers 429 RESOURCE_EXHAUSTED with a 30 s RetryInfo delay (longer than a chat turn may wait)",
} as const;
type Scenario = keyof typeof SCENARIOS;

// Answered like the real API answers for a model kept only for its past users, or shut down.
const RETIRED = new Set(RETIRED_GEMINI_MODELS);

const { values } = parseArgs({
  options: {
    port: { type: "string", default: process.env.FAKE_GEMINI_PORT ?? "8090" },
    scenario: { type: "string", default: process.env.FAKE_GEMINI_SCENARIO ?? "ok" },
  },
});
if (!Object.hasOwn(SCENARIOS, values.scenario)) {
  console.error(`unknown scenario ${values.scenario}; one of: ${Object.keys(SCENARIOS).join(", ")}`);
  process.exit(2);
}
const scenario = values.scenario as Scenario;
const interviewer = createLocalInterviewer();
let calls = 0;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function partsOf(content: unknown): Array<Record<string, unknown>> {
  return isRecord(content) && Array.isArray(content.parts) ? content.parts.filter(isRecord) : [];
}

function textOf(content: unknown): string {
  return partsOf(content)
    .map((part) => (typeof part.text === "string" ? part.text : ""))
    .join("");
}

/** The turn the interviewer's request describes: its locale and profile (in the system instruction) and messages. */
async function chatAnswer(body: Record<string, unknown>): Promise<FakeGeminiResponse> {
  const instruction = textOf(body.systemInstruction);
  const locale: Locale = instruction.includes("現在のプロフィール") ? "ja" : "en";
  const profileJson = /(?:現在のプロフィール（JSON）|Current profile \(JSON\)): (\{.*\})$/mu.exec(instruction)?.[1] ?? "{}";
  const profile = JSON.parse(profileJson) as Profile;
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const history: ChatMessage[] = contents
    .slice(0, -1)
    .map((content) => ({ role: isRecord(content) && content.role === "model" ? "assistant" : "user", text: textOf(content) }));
  const turn = await interviewer.reply({ locale, profile, history, text: textOf(contents.at(-1)) });
  return geminiJson({ reply: turn.reply, extracted: turn.extracted });
}

/** A plain square picture whose colour follows the prompt, so different inputs give different pictures. */
async function imageAnswer(body: Record<string, unknown>): Promise<FakeGeminiResponse> {
  const contents = Array.isArray(body.contents) ? body.contents : [];
  const parts = contents.flatMap(partsOf);
  const inlineImages = parts.filter((part) => isRecord(part.inlineData)).length;
  if (scenario === "refuse-child" && inlineImages >= 2)
    return geminiText("I can't create images of children based on photos of real people.");
  const [r = 0, g = 0, b = 0] = createHash("sha256")
    .update(JSON.stringify(parts.map((part) => part.text ?? "")))
    .digest();
  const png = await sharp({ create: { width: 512, height: 512, channels: 3, background: { r, g, b } } })
    .png()
    .toBuffer();
  return geminiImages([{ mimeType: "image/png", data: png.toString("base64") }]);
}

async function answer(request: FakeGeminiRequest): Promise<FakeGeminiResponse> {
  calls += 1;
  if (request.model !== undefined && RETIRED.has(request.model)) return geminiErrors.modelNoLongerAvailable(request.model);
  if (scenario === "quota") return geminiErrors.rateLimited({ retryDelay: "30s" });
  if (scenario === "flaky" && calls % 2 === 1) return geminiErrors.unavailable();
  const body = isRecord(request.body) ? request.body : {};
  const config = isRecord(body.generationConfig) ? body.generationConfig : {};
  const wantsImage = Array.isArray(config.responseModalities) && config.responseModalities.includes("IMAGE");
  return wantsImage ? imageAnswer(body) : chatAnswer(body);
}

const fake = await startFakeGemini({ port: Number(values.port), host: "127.0.0.1" });
fake.respondWith(async (request) => {
  const reply = await answer(request).catch(() => geminiErrors.internal());
  // What was asked of which model and how it was answered: never the prompt, the photos or the answer.
  console.log(
    `${new Date().toISOString()} ${request.model ?? request.path} → ${reply.status ?? 200}` +
      `${request.headers["x-goog-api-key"] ? "" : " (no x-goog-api-key)"}`,
  );
  return reply;
});

console.log(`Fake Gemini API on ${fake.baseUrl} (scenario: ${scenario} — ${SCENARIOS[scenario]})
Point the local stack at it in .env:
  CHAT_PROVIDER=gemini
  IMAGE_PROVIDER=gemini
  GEMINI_BASE_URL=${fake.baseUrl}
  GEMINI_API_KEY=any-local-value
Other scenarios: ${Object.keys(SCENARIOS).join(", ")} (npm run fake:gemini -- --scenario=<name>). Ctrl-C stops it.`);

const stop = () => {
  void fake.close().finally(() => process.exit(0));
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
