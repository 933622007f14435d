import { DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { hashToken, newSessionId, newSessionToken } from "../../lib/sessions/tokens.ts";

// The response headers a browser reads from the local stack, as from API Gateway: CORS set once (by the API, never
// by a function), Retry-After readable by a page on another origin, and no header sent empty.
const stack = inject("stack");
const ORIGIN = "http://localhost:5173";

async function send(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return fetch(`${stack.baseUrl}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) });
}

const emptyHeaders = (response: Response) => [...response.headers].filter(([, value]) => value.trim() === "").map(([name]) => name);

describe("response headers", () => {
  const requests: Array<[string, () => Promise<Response>]> = [
    [
      "a created session",
      () => send("POST", "/api/sessions", { Origin: ORIGIN, "Content-Type": "application/json" }, JSON.stringify({ locale: "en" })),
    ],
    ["a refused read (401)", () => send("GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", { Origin: ORIGIN })],
    ["a malformed body (400)", () => send("POST", "/api/sessions", { Origin: ORIGIN, "Content-Type": "application/json" }, "{")],
    ["the health check", () => send("GET", "/api/health", { Origin: ORIGIN })],
    ["a route that does not exist (404)", () => send("GET", "/api/no-such-route", { Origin: ORIGIN })],
    ["the OpenAPI document", () => send("GET", "/api/openapi.json", { Origin: ORIGIN })],
    [
      "a preflight",
      () =>
        send("OPTIONS", "/api/sessions", {
          Origin: ORIGIN,
          "Access-Control-Request-Method": "POST",
          "Access-Control-Request-Headers": "content-type,authorization",
        }),
    ],
  ];

  it.each(requests)("exposes Retry-After exactly once to the page's origin, on %s", async (_name, request) => {
    const response = await request();
    await response.arrayBuffer();
    expect(response.headers.get("access-control-allow-origin")).toBe(ORIGIN);
    // Two copies, as one header or two, would read "Retry-After,Retry-After" or "Retry-After, Retry-After".
    expect(response.headers.get("access-control-expose-headers")).toBe("Retry-After");
  });

  it("lets a page on another origin send Idempotency-Key (a preflight allows it)", async () => {
    const response = await send("OPTIONS", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA/messages", {
      Origin: ORIGIN,
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "content-type,authorization,idempotency-key",
    });
    await response.arrayBuffer();
    const allowed = (response.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
    expect(allowed).toContain("idempotency-key");
  });

  it.each(requests)("sends no empty header on %s", async (_name, request) => {
    const response = await request();
    await response.arrayBuffer();
    expect(emptyHeaders(response)).toEqual([]);
  });

  it("sends a request without an Origin no CORS headers at all, as API Gateway does", async () => {
    const response = await send("GET", "/api/health");
    await response.arrayBuffer();
    expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    expect(emptyHeaders(response)).toEqual([]);
  });
});

// Every answer of a function, success or error, forbids being run or framed as a page. (A preflight is API
// Gateway's own answer, with no body, and no function's.)
describe("the page-defence headers of every answer", () => {
  const dynamo = new DynamoDBClient({
    endpoint: stack.dynamodbUrl,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  // A result record whose profile is not JSON: reading it is a bug's 500, the one 5xx the stack answers on demand.
  const corrupt = { sessionId: newSessionId(), token: newSessionToken() };
  beforeAll(async () => {
    await dynamo.send(
      new PutItemCommand({
        TableName: stack.resultsTable,
        Item: {
          sessionId: { S: corrupt.sessionId },
          tokenHash: { S: hashToken(corrupt.token) },
          locale: { S: "en" },
          completedAt: { S: new Date().toISOString() },
          profile: { S: "{not json" },
          expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) },
        },
      }),
    );
  });

  const answers: Array<[string, number, () => Promise<Response>]> = [
    [
      "a created session",
      201,
      () => send("POST", "/api/sessions", { Origin: ORIGIN, "Content-Type": "application/json" }, JSON.stringify({ locale: "en" })),
    ],
    ["the health check", 200, () => send("GET", "/api/health")],
    ["the OpenAPI document", 200, () => send("GET", "/api/openapi.json")],
    ["a malformed body", 400, () => send("POST", "/api/sessions", { "Content-Type": "application/json" }, "{")],
    ["a refused read", 401, () => send("GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA")],
    ["a route that does not exist", 404, () => send("GET", "/api/no-such-route")],
    ["a method a route does not take", 404, () => send("PUT", "/api/health", { "Content-Type": "text/plain" }, "x")],
    ["a path outside /api", 404, () => send("POST", "/", { "Content-Type": "application/json" }, "{}")],
    [
      "an unexpected failure",
      500,
      () => send("GET", `/api/sessions/${corrupt.sessionId}/result`, { Authorization: `Bearer ${corrupt.token}` }),
    ],
  ];

  it.each(answers)("puts Content-Security-Policy and X-Frame-Options on %s (%i)", async (_name, status, request) => {
    const response = await request();
    const body = (await response.json()) as { error?: { code: string } };
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("content-security-policy")).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    if (status === 404) expect(body.error?.code).toBe("not_found");
  });
});
