import { randomBytes } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for the Gemini REST API (what @google/genai calls:
// POST {baseUrl}/v1beta/models/{model}:generateContent with an `x-goog-api-key` header and a
// JSON body). Every request is recorded; what comes back is decided by a replaceable handler,
// and the helpers below build the answers in the shapes the real API sends: candidates with
// usageMetadata, modelVersion and responseId; prompt blocks and safety finish reasons; error
// bodies {error: {code, message, status, details}} with ErrorInfo, QuotaFailure and RetryInfo.

export interface FakeGeminiRequest {
  method: string;
  /** Path without the query string, e.g. `/v1beta/models/gemini-3.5-flash-lite:generateContent`. */
  path: string;
  /** The request target as sent, query string included (an API key must never be in it). */
  url: string;
  /** The `{model}` of a `models/{model}:{action}` path. */
  model: string | undefined;
  /** The `{action}` of a `models/{model}:{action}` path, e.g. `generateContent`. */
  action: string | undefined;
  /** Parsed JSON body (the raw string when it is not JSON, undefined when empty). */
  body: unknown;
  headers: IncomingHttpHeaders;
  /** When the request arrived (Date.now()), to measure back-off. */
  receivedAt: number;
}

export interface FakeGeminiResponse {
  /** HTTP status; 200 by default. */
  status?: number;
  /** Serialized as the JSON body. */
  json?: unknown;
  /** Sent verbatim instead of `json` (for garbage or non-JSON bodies). */
  rawBody?: string;
  /** Wait this long before answering (abort/timeout tests); the wait ends if the client leaves. */
  delayMs?: number;
  headers?: Record<string, string>;
}

export type FakeGeminiHandler = (request: FakeGeminiRequest) => FakeGeminiResponse | Promise<FakeGeminiResponse>;

export interface FakeGeminiOptions {
  /** When set, a request without exactly this `x-goog-api-key` gets the API's answer to a bad key. */
  apiKey?: string;
  /** When set, any other model gets the API's 404 for an unknown model. */
  models?: readonly string[];
  /** The port to listen on; a free one by default. */
  port?: number;
  /** The address to listen on; 127.0.0.1 by default. */
  host?: string;
}

export interface FakeGemini {
  /** Pass as `httpOptions.baseUrl` (no trailing slash). */
  baseUrl: string;
  requests: FakeGeminiRequest[];
  /** Replaces the handler for all later requests. */
  respondWith(handler: FakeGeminiHandler): void;
  close(): Promise<void>;
}

const GOOGLE_RPC = "type.googleapis.com/google.rpc.";

function responseId(): string {
  return randomBytes(15).toString("base64url");
}

/** Token counts as the API reports them. */
/**
 * Models Google has shut down, deprecated, or routes to another model (deprecations page and changelog, 2026-12-01):
 * the defaults must be none of them, and the local fake answers them as the real API does.
 */
export const RETIRED_GEMINI_MODELS: readonly string[] = [
  "gemini-2.0-flash",
  "gemini-2.5-flash",
  "gemini-2.5-pro",
  "gemini-2.5-flash-image",
  "gemini-3.1-flash-image",
  "gemini-3.5-flash",
  "gemini-3.7-flash",
  "gemini-3-pro-image-preview",
  "gemini-3.1-flash-image-preview",
];

export function usageMetadata(promptTokens = 120, outputTokens = 40, thoughtsTokens = 0): Record<string, unknown> {
  return {
    promptTokenCount: promptTokens,
    candidatesTokenCount: outputTokens,
    totalTokenCount: promptTokens + outputTokens + thoughtsTokens,
    ...(thoughtsTokens > 0 ? { thoughtsTokenCount: thoughtsTokens } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: promptTokens }],
  };
}

/** The fields every 200 answer carries besides its candidates or prompt feedback. */
function envelope(modelVersion: string, usage: Record<string, unknown>): Record<string, unknown> {
  return { usageMetadata: usage, modelVersion, responseId: responseId() };
}

/** A Gemini response body whose first candidate holds the given parts and ends with `finishReason`. */
export function geminiCandidateBody(
  parts: ReadonlyArray<Record<string, unknown>>,
  finishReason = "STOP",
  modelVersion = "fake-gemini",
): unknown {
  return {
    candidates: [{ content: { role: "model", parts }, finishReason, index: 0 }],
    ...envelope(modelVersion, usageMetadata()),
  };
}

/** A 200 answer whose first candidate is the given text. */
export function geminiText(text: string, finishReason = "STOP"): FakeGeminiResponse {
  return { json: geminiCandidateBody([{ text }], finishReason) };
}

/** A 200 answer whose first candidate is `value` serialized as JSON text (structured output). */
export function geminiJson(value: unknown): FakeGeminiResponse {
  return geminiText(JSON.stringify(value));
}

/** A 200 answer carrying images as `inlineData` parts (base64 data), optionally after a text part. */
export function geminiImages(images: ReadonlyArray<{ mimeType: string; data: string }>, text?: string): FakeGeminiResponse {
  const parts: Array<Record<string, unknown>> = text === undefined ? [] : [{ text }];
  for (const image of images) parts.push({ inlineData: { mimeType: image.mimeType, data: image.data } });
  return {
    json: {
      ...(geminiCandidateBody(parts) as object),
      usageMetadata: { ...usageMetadata(300, 1290), candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 1290 }] },
    },
  };
}

/** A prompt the API blocked before generating: no candidates, `promptFeedback.blockReason`. */
export function geminiBlocked(blockReason: string): FakeGeminiResponse {
  return { json: { promptFeedback: { blockReason }, ...envelope("fake-gemini", { promptTokenCount: 300, totalTokenCount: 300 }) } };
}

/**
 * A candidate that stopped for `finishReason` (SAFETY, IMAGE_SAFETY, NO_IMAGE, …): without content, as a safety
 * stop is sent, or with the given parts (NO_IMAGE often comes with a text part saying why).
 */
export function geminiFinished(finishReason: string, parts?: ReadonlyArray<Record<string, unknown>>): FakeGeminiResponse {
  const candidate = parts === undefined ? { finishReason, index: 0 } : { content: { role: "model", parts }, finishReason, index: 0 };
  return { json: { candidates: [candidate], ...envelope("fake-gemini", usageMetadata(300, 0)) } };
}

/** An answer with no candidate and no block reason at all. */
export function geminiEmpty(): FakeGeminiResponse {
  return { json: envelope("fake-gemini", { promptTokenCount: 300, totalTokenCount: 300 }) };
}

/** An error answer shaped like Google's: `{error: {code, message, status, details}}`. */
export function geminiError(status: number, message = "fake error", statusText = "INTERNAL", details: unknown[] = []): FakeGeminiResponse {
  return { status, json: { error: { code: status, message, status: statusText, ...(details.length > 0 ? { details } : {}) } } };
}

/** The error answers the API sends, with the details it attaches. */
export const geminiErrors = {
  /** 429: a per-minute quota by default, with the RetryInfo delay the API asks for. */
  rateLimited(options: { retryDelay?: string; quotaId?: string } = {}): FakeGeminiResponse {
    const quotaId = options.quotaId ?? "GenerateRequestsPerMinutePerProjectPerModel";
    return geminiError(429, "You exceeded your current quota, please check your plan and billing details.", "RESOURCE_EXHAUSTED", [
      {
        "@type": `${GOOGLE_RPC}QuotaFailure`,
        violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_requests", quotaId }],
      },
      {
        "@type": `${GOOGLE_RPC}Help`,
        links: [{ description: "Learn more about Gemini API quotas", url: "https://ai.google.dev/gemini-api/docs/rate-limits" }],
      },
      ...(options.retryDelay === undefined ? [] : [{ "@type": `${GOOGLE_RPC}RetryInfo`, retryDelay: options.retryDelay }]),
    ]);
  },
  internal: (): FakeGeminiResponse =>
    geminiError(
      500,
      "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
      "INTERNAL",
    ),
  badGateway: (): FakeGeminiResponse => geminiError(502, "Bad gateway.", "UNAVAILABLE"),
  unavailable: (): FakeGeminiResponse => geminiError(503, "The model is overloaded. Please try again later.", "UNAVAILABLE"),
  deadlineExceeded: (): FakeGeminiResponse => geminiError(504, "Deadline expired before operation could complete.", "DEADLINE_EXCEEDED"),
  invalidArgument: (message = "Invalid JSON payload received."): FakeGeminiResponse => geminiError(400, message, "INVALID_ARGUMENT"),
  invalidKey: (): FakeGeminiResponse =>
    geminiError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", [
      {
        "@type": `${GOOGLE_RPC}ErrorInfo`,
        reason: "API_KEY_INVALID",
        domain: "googleapis.com",
        metadata: { service: "generativelanguage.googleapis.com" },
      },
      { "@type": `${GOOGLE_RPC}LocalizedMessage`, locale: "en-US", message: "API key not valid. Please pass a valid API key." },
    ]),
  unauthenticated: (): FakeGeminiResponse => geminiError(401, "Request had invalid authentication credentials.", "UNAUTHENTICATED"),
  permissionDenied: (): FakeGeminiResponse =>
    geminiError(403, "Method doesn't allow unregistered callers (callers without established identity).", "PERMISSION_DENIED", [
      { "@type": `${GOOGLE_RPC}ErrorInfo`, reason: "CONSUMER_INVALID", domain: "googleapis.com" },
    ]),
  modelNotFound: (model: string): FakeGeminiResponse =>
    geminiError(
      404,
      [
        `models/${model} is not found for API version v1beta, or is not supported for generateContent.`,
        "Call ListModels to see the list of available models and their supported methods.",
      ].join(" "),
      "NOT_FOUND",
    ),
  /** How the API answers for a model kept only for its existing users. */
  modelNoLongerAvailable: (model: string): FakeGeminiResponse =>
    geminiError(
      404,
      [
        `This model models/${model} is no longer available to new users.`,
        "Please update your code to use a newer model for the latest features and improvements.",
      ].join(" "),
      "NOT_FOUND",
    ),
} as const;

/** A handler that sends the given answers in turn and then keeps sending the last one. */
export function inSequence(...answers: FakeGeminiResponse[]): FakeGeminiHandler {
  let next = 0;
  return () => answers[Math.min(next++, answers.length - 1)] ?? geminiError(500, "no answer scripted");
}

const DEFAULT_HANDLER: FakeGeminiHandler = () => geminiJson({ reply: "OK", extracted: {} });

const MODEL_PATH = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/;

function parseBody(raw: string): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function send(res: ServerResponse, answer: FakeGeminiResponse, model: string | undefined): void {
  if (res.destroyed || res.writableEnded) return;
  let json = answer.json ?? {};
  // The real API names the model that answered; the fixed placeholder becomes the model of the path.
  if (model && typeof json === "object" && json !== null && (json as { modelVersion?: unknown }).modelVersion === "fake-gemini") {
    json = { ...json, modelVersion: model };
  }
  const body = answer.rawBody ?? JSON.stringify(json);
  const contentType = answer.rawBody === undefined ? "application/json; charset=UTF-8" : "text/plain; charset=UTF-8";
  res.writeHead(answer.status ?? 200, { "content-type": contentType, ...answer.headers });
  res.end(body);
}

function checkRequest(request: FakeGeminiRequest, options: FakeGeminiOptions): FakeGeminiResponse | undefined {
  // A key in the URL ends up in access logs and proxies; the SDK sends it as a header, and so must every caller.
  if (new URL(request.url, "http://fake").searchParams.has("key")) {
    return geminiError(400, "fake Gemini: the API key must travel in the x-goog-api-key header, never in the URL", "INVALID_ARGUMENT");
  }
  if (options.apiKey !== undefined && request.headers["x-goog-api-key"] !== options.apiKey) {
    return request.headers["x-goog-api-key"] === undefined ? geminiErrors.permissionDenied() : geminiErrors.invalidKey();
  }
  if (options.models !== undefined && request.model !== undefined && !options.models.includes(request.model)) {
    return geminiErrors.modelNotFound(request.model);
  }
  return undefined;
}

/** Starts the fake on a localhost port; answers `models/{model}:{action}` POSTs through the handler and 404s the rest. */
export async function startFakeGemini(options: FakeGeminiOptions = {}): Promise<FakeGemini> {
  const requests: FakeGeminiRequest[] = [];
  let handler: FakeGeminiHandler = DEFAULT_HANDLER;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const url = req.url ?? "/";
        const path = url.split("?")[0] ?? "/";
        const match = MODEL_PATH.exec(path);
        const request: FakeGeminiRequest = {
          method: req.method ?? "GET",
          path,
          url,
          model: match?.[1],
          action: match?.[2],
          body: parseBody(Buffer.concat(chunks).toString("utf8")),
          headers: req.headers,
          receivedAt: Date.now(),
        };
        requests.push(request);
        if (request.method !== "POST" || !match) {
          send(res, geminiError(404, "not found in fake Gemini", "NOT_FOUND"), undefined);
          return;
        }
        let answer: FakeGeminiResponse;
        try {
          answer = checkRequest(request, options) ?? (await handler(request));
        } catch {
          answer = geminiError(500, "fake handler failed");
        }
        const delay = answer.delayMs ?? 0;
        if (delay <= 0) {
          send(res, answer, request.model);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, answer, request.model);
        }, delay);
        timers.add(timer);
        // A client that gave up (abort/timeout) should not keep the timer alive.
        res.on("close", () => {
          clearTimeout(timer);
          timers.delete(timer);
        });
      })();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://${options.host ?? "127.0.0.1"}:${port}`,
    requests,
    respondWith(next) {
      handler = next;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
