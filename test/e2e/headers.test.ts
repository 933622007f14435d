import { describe, expect, inject, it } from "vitest";

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
