/** An HTTP call as a browser makes it, timed from the request to the end of the body. */
export interface Answer<T> {
  status: number;
  body: T;
  ms: number;
}

export interface CallOptions {
  json?: unknown;
  token?: string;
  timeoutMs?: number;
}

const ORIGIN = "http://localhost:5173";

/** Calls the API and reads the whole answer (JSON or empty); throws only on a network failure or a timeout. */
export async function call<T = Record<string, unknown>>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { Origin: ORIGIN };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] = "application/json";
  }
  const started = performance.now();
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(options.timeoutMs ?? 60_000) });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
  }
  return { status: response.status, body: parsed as T, ms };
}

/** Posts a presigned S3 form as a browser does: the fields, then the file last, as multipart/form-data. */
export async function postForm(upload: { url: string; fields: Record<string, string> }, bytes: Buffer, contentType: string): Promise<Answer<string>> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append("file", new Blob([new Uint8Array(bytes)], { type: contentType }), "photo.jpg");
  const started = performance.now();
  const response = await fetch(upload.url, { method: "POST", body: form, headers: { Origin: ORIGIN }, signal: AbortSignal.timeout(60_000) });
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
