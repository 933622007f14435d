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

/** A client of the API at `baseUrl` (e.g. `http://localhost:3000`, or a stage's `https://{apiId}.execute-api.{region}.amazonaws.com`). */
export function createHeraClient(options: ClientOptions & { baseUrl: string }): HeraClient {
  return createClient<paths>({ ...options, baseUrl: options.baseUrl.replace(/\/+$/, "") });
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
