import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

// A local stand-in for the Gemini REST API (what @google/genai calls:
// POST {baseUrl}/v1beta/models/{model}:generateContent with an `x-goog-api-key` header and a
// JSON body). Every request is recorded; what comes back is decided by a replaceable handler
// so the same fake serves chat (text parts) and image generation (inlineData parts).

export interface FakeGeminiRequest {
  method: string;
  /** Path without the query string, e.g. `/v1beta/models/gemini-2.5-flash:generateContent`. */
  path: string;
  /** The `{model}` of a `models/{model}:{action}` path. */
  model: string | undefined;
  /** The `{action}` of a `models/{model}:{action}` path, e.g. `generateContent`. */
  action: string | undefined;
  /** Parsed JSON body (the raw string when it is not JSON, undefined when empty). */
  body: unknown;
  headers: IncomingHttpHeaders;
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

export interface FakeGemini {
  /** Pass as `httpOptions.baseUrl` (no trailing slash). */
  baseUrl: string;
  requests: FakeGeminiRequest[];
  /** Replaces the handler for all later requests. */
  respondWith(handler: FakeGeminiHandler): void;
  close(): Promise<void>;
}

/** A Gemini response body whose first candidate holds the given parts. */
export function geminiCandidateBody(parts: ReadonlyArray<Record<string, unknown>>): unknown {
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 10, totalTokenCount: 20 },
    modelVersion: "fake-gemini",
  };
}

/** A 200 answer whose first candidate is the given text. */
export function geminiText(text: string): FakeGeminiResponse {
  return { json: geminiCandidateBody([{ text }]) };
}

/** A 200 answer whose first candidate is `value` serialized as JSON text (structured output). */
export function geminiJson(value: unknown): FakeGeminiResponse {
  return geminiText(JSON.stringify(value));
}

/** A 200 answer carrying images as `inlineData` parts (base64 data), optionally after a text part. */
export function geminiImages(images: ReadonlyArray<{ mimeType: string; data: string }>, text?: string): FakeGeminiResponse {
  const parts: Array<Record<string, unknown>> = text === undefined ? [] : [{ text }];
  for (const image of images) parts.push({ inlineData: { mimeType: image.mimeType, data: image.data } });
  return { json: geminiCandidateBody(parts) };
}

/** An error answer shaped like Google's (`{error: {code, message, status}}`). */
export function geminiError(status: number, message = "fake error", statusText = "INTERNAL"): FakeGeminiResponse {
  return { status, json: { error: { code: status, message, status: statusText } } };
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

function send(res: ServerResponse, answer: FakeGeminiResponse): void {
  if (res.destroyed || res.writableEnded) return;
  const body = answer.rawBody ?? JSON.stringify(answer.json ?? {});
  const contentType = answer.rawBody === undefined ? "application/json; charset=UTF-8" : "text/plain; charset=UTF-8";
  res.writeHead(answer.status ?? 200, { "content-type": contentType, ...answer.headers });
  res.end(body);
}

/** Starts the fake on a free localhost port; answers `models/{model}:{action}` POSTs through the handler and 404s the rest. */
export async function startFakeGemini(): Promise<FakeGemini> {
  const requests: FakeGeminiRequest[] = [];
  let handler: FakeGeminiHandler = DEFAULT_HANDLER;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      void (async () => {
        const path = (req.url ?? "/").split("?")[0] ?? "/";
        const match = MODEL_PATH.exec(path);
        const request: FakeGeminiRequest = {
          method: req.method ?? "GET",
          path,
          model: match?.[1],
          action: match?.[2],
          body: parseBody(Buffer.concat(chunks).toString("utf8")),
          headers: req.headers,
        };
        requests.push(request);
        if (request.method !== "POST" || !match) {
          send(res, geminiError(404, "not found in fake Gemini", "NOT_FOUND"));
          return;
        }
        let answer: FakeGeminiResponse;
        try {
          answer = await handler(request);
        } catch {
          answer = geminiError(500, "fake handler failed");
        }
        const delay = answer.delayMs ?? 0;
        if (delay <= 0) {
          send(res, answer);
          return;
        }
        const timer = setTimeout(() => {
          timers.delete(timer);
          send(res, answer);
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
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
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
