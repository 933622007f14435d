import { createHeraClient, type HeraClient } from "../client/index.ts";

/** An HTTP call as a browser makes it, timed from the request to the end of the body. */
export interface Answer<T> {
  status: number;
  body: T;
  ms: number;
}

const ORIGIN = "http://localhost:5173";

/** The generated client (client/) as a browser at the demo page's origin uses it; each call may take `timeoutMs`. */
export function benchClient(baseUrl: string, timeoutMs = 60_000): HeraClient {
  return createHeraClient({
    baseUrl,
    headers: { Origin: ORIGIN },
    fetch: (request) => fetch(request, { signal: AbortSignal.timeout(timeoutMs) }),
  });
}

/** What openapi-fetch resolves with: the parsed body of a success (`data`) or of a refusal (`error`), and the response. */
interface ClientAnswer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** Times one call of the client, from the request to the end of the body (openapi-fetch reads it before resolving). */
export async function measure<T>(send: () => Promise<ClientAnswer<T>>): Promise<Answer<T>> {
  const started = performance.now();
  const { data, error, response } = await send();
  return { status: response.status, body: (response.ok ? data : error) as T, ms: performance.now() - started };
}

type UntypedGet = (method: "get", path: string, init: Record<string, unknown>) => Promise<ClientAnswer<unknown>>;

/** A GET of a path outside the API (serverless-offline's own 404, the floor of the latency report), through the same client. */
export function getOutsideApi(client: HeraClient, path: string): Promise<Answer<unknown>> {
  return measure(() => (client.request as unknown as UntypedGet)("get", path, { parseAs: "text" }));
}

/** Posts a presigned S3 form as a browser does: the fields, then the file last, as multipart/form-data. */
export async function postForm(
  upload: { url: string; fields: Record<string, string> },
  bytes: Buffer,
  contentType: string,
): Promise<Answer<string>> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo.jpg");
  const started = performance.now();
  const response = await fetch(upload.url, {
    method: "POST",
    body: form,
    headers: { Origin: ORIGIN },
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  return { status: response.status, body: text, ms: performance.now() - started };
}

/** A refused or failed call where success was expected. */
export class UnexpectedAnswerError extends Error {
  override readonly name = "UnexpectedAnswerError";
  constructor(
    readonly label: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${label}: HTTP ${status} ${detail.slice(0, 300)}`);
  }
}

/** Latencies per endpoint label, and the errors seen. */
export class Recorder {
  readonly latencies = new Map<string, number[]>();
  readonly errors: Array<{ label: string; status: number; message: string }> = [];

  record(label: string, ms: number): void {
    const list = this.latencies.get(label) ?? [];
    list.push(ms);
    this.latencies.set(label, list);
  }

  fail(label: string, status: number, message: string): void {
    this.errors.push({ label, status, message: message.slice(0, 300) });
  }
}

/** Calls an endpoint, records its latency under `label`, and throws UnexpectedAnswerError unless the status is expected. */
export async function timed<T = Record<string, unknown>>(
  recorder: Recorder,
  label: string,
  expected: readonly number[],
  action: () => Promise<Answer<T>>,
): Promise<Answer<T>> {
  let answer: Answer<T>;
  try {
    answer = await action();
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    recorder.fail(label, 0, message);
    throw new UnexpectedAnswerError(label, 0, message);
  }
  recorder.record(label, answer.ms);
  if (!expected.includes(answer.status)) {
    const detail = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    recorder.fail(label, answer.status, detail);
    throw new UnexpectedAnswerError(label, answer.status, detail);
  }
  return answer;
}
