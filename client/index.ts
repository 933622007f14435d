import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.d.ts";

// The one client of Hera's HTTP API: openapi-fetch over the types that openapi-typescript generates from
// openapi.json (`npm run openapi` writes client/schema.d.ts). Every path, parameter, body and answer is typed from
// the contract; the demo page, the tests and the benchmark all call the API through it. It runs in a browser and in
// Node alike (fetch only).

export type { components, operations, paths };

/** Every named shape of the contract, e.g. `Schemas["SessionView"]`. */
export type Schemas = components["schemas"];

/** The typed client: `client.GET("/api/sessions/{sessionId}", { params: { path: { sessionId } }, headers: bearer(token) })`. */
export type HeraClient = Client<paths>;

/** What every error answer holds, whatever its code. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
  requestId: string;
}

/**
 * A client of the API at `baseUrl` (e.g. `http://localhost:3000`, or a stage's `https://{apiId}.execute-api.{region}.amazonaws.com`).
 * With `retries`, a POST that did not get an answer (a network error) or got 503 or 409 `idempotency_key_in_use` is
 * sent again, after `Retry-After`, under one Idempotency-Key: the server applies it once whatever reached it.
 */
export function createHeraClient(options: ClientOptions & { baseUrl: string; retries?: number }): HeraClient {
  const { retries = 0, ...rest } = options;
  return createClient<paths>({
    ...rest,
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    ...(retries > 0 ? { fetch: idempotentRetries(rest.fetch ?? ((request) => globalThis.fetch(request)), retries) } : {}),
  });
}

/** A new Idempotency-Key header (a random UUID), for one request and its retries. */
export function idempotencyKey(): { "Idempotency-Key": string } {
  return { "Idempotency-Key": globalThis.crypto.randomUUID() };
}

/** The longest wait between two tries, whatever Retry-After says: a person is waiting. */
const MAX_RETRY_WAIT_MS = 5000;

/**
 * Wraps a fetch so that a POST carries an Idempotency-Key (its own, or a new one) and is tried up to `retries` more
 * times, under that key, when no answer came back or the answer says to try again (503, 409 idempotency_key_in_use).
 */
export function idempotentRetries(send: (request: Request) => Promise<Response>, retries: number): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== "POST") return send(request);
    const keyed = new Request(request, {
      headers: new Headers([...request.headers, ...(request.headers.has("Idempotency-Key") ? [] : Object.entries(idempotencyKey()))]),
    });
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await send(keyed.clone());
      } catch (error) {
        if (attempt >= retries || keyed.signal.aborted) throw error;
        await wait(200 * 2 ** attempt);
        continue;
      }
      if (attempt >= retries || !(await isWorthRetrying(response))) return response;
      const after = Number(response.headers.get("Retry-After"));
      await wait(Math.min(MAX_RETRY_WAIT_MS, Number.isFinite(after) && after > 0 ? after * 1000 : 1000));
    }
  };
}

async function isWorthRetrying(response: Response): Promise<boolean> {
  if (response.status === 503) return true;
  if (response.status !== 409) return false;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => undefined);
  return isErrorBody(body) && body.error.code === "idempotency_key_in_use";
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The Authorization header of a session's calls. */
export function bearer(sessionToken: string): { Authorization: string } {
  return { Authorization: `Bearer ${sessionToken}` };
}

/** Whether a value is an error body of the API (`{error: {code, message}, requestId}`). */
export function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error: unknown = value.error;
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" && "message" in error;
}
