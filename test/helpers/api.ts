import type { Middleware } from "openapi-fetch";
import { bearer, createHeraClient, type HeraClient } from "../../client/index.ts";
import { committedContract } from "./contract.ts";

// The end-to-end tests call the stack only through the generated client (client/), as a front end at
// http://localhost:5173 would, and every answer they receive is checked against openapi.json here: an undocumented
// route or status, or a body that does not match its schema, fails the call and so the test.

const ORIGIN = "http://localhost:5173";
const TIMEOUT_MS = 30_000;

/** Checks each answer against the committed contract; a ContractViolationError rejects the call. */
export const contractCheck: Middleware = {
  async onResponse({ request, response }) {
    committedContract().check({
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      contentType: response.headers.get("content-type"),
      body: await response.clone().text(),
    });
    return undefined;
  },
};

const clients = new Map<string, HeraClient>();

/** The typed client of the stack at `baseUrl`, checking every answer against openapi.json. */
export function heraClient(baseUrl: string): HeraClient {
  let client = clients.get(baseUrl);
  if (!client) {
    client = createHeraClient({
      baseUrl,
      headers: { Origin: ORIGIN },
      fetch: (request) => fetch(request, { signal: AbortSignal.timeout(TIMEOUT_MS) }),
    });
    client.use(contractCheck);
    clients.set(baseUrl, client);
  }
  return client;
}

export { bearer };

/** An answer as a test reads it: status, headers and the parsed JSON body (undefined when empty). */
export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

type UntypedRequest = (
  method: string,
  path: string,
  init: Record<string, unknown>,
) => Promise<{ data?: unknown; error?: unknown; response: Response }>;

/**
 * A call by concrete path, for what the typed methods cannot express on purpose: malformed bodies, wrong headers, a
 * wrong or missing token, unknown picture names. It goes through the same client, so its answer is checked too.
 */
export async function api<T = Record<string, unknown>>(
  baseUrl: string,
  method: string,
  path: string,
  init: { json?: unknown; rawBody?: string; token?: string; headers?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const send = heraClient(baseUrl).request as unknown as UntypedRequest;
  const raw = init.json === undefined ? init.rawBody : JSON.stringify(init.json);
  const { data, error, response } = await send(method.toLowerCase(), path, {
    headers: { ...init.headers, ...(init.token ? bearer(init.token) : {}) },
    ...(raw === undefined ? {} : { body: raw, bodySerializer: (body: string) => body }),
    parseAs: "text",
  });
  const text = response.ok ? data : error;
  const body = typeof text === "string" ? (text === "" ? undefined : (JSON.parse(text) as unknown)) : text;
  return { status: response.status, headers: response.headers, body: body as T };
}
