import { Redis } from "@upstash/redis";
import { describe, expect, inject, it } from "vitest";
import { api } from "../helpers/api.ts";

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });

interface Created {
  sessionId: string;
  sessionToken: string;
  status: string;
  createdAt: string;
  expiresAt: string;
  reply: string;
}

describe("sessions over HTTP", () => {
  it("creates a session and reads it back with its token", async () => {
    const created = await api<Created>(stack.baseUrl, "POST", "/api/sessions", { json: { locale: "en" } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ status: "collecting" });
    expect(created.body.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created.body.sessionToken.length).toBeGreaterThanOrEqual(22);
    expect(typeof created.body.reply).toBe("string");
    expect(created.body.reply.length).toBeGreaterThan(0);
    expect(Date.parse(created.body.expiresAt)).toBeGreaterThan(Date.parse(created.body.createdAt));

    const read = await api(stack.baseUrl, "GET", `/api/sessions/${created.body.sessionId}`, { token: created.body.sessionToken });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      sessionId: created.body.sessionId,
      status: "collecting",
      locale: "en",
      createdAt: created.body.createdAt,
      profile: {},
      profileComplete: false,
      photo: null,
      images: { partner: null, child: null },
      messages: [{ role: "assistant", text: created.body.reply, at: created.body.createdAt }],
    });
    expect(read.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(read.headers.get("cache-control")).toBe("no-store");
  });

  it("opens a Japanese session without a body", async () => {
    const created = await api<Created>(stack.baseUrl, "POST", "/api/sessions");
    expect(created.status).toBe(201);
    const read = await api(stack.baseUrl, "GET", `/api/sessions/${created.body.sessionId}`, { token: created.body.sessionToken });
    expect(read.body).toMatchObject({ locale: "ja" });
  });

  it("answers 401 without a token and the same 404 for a wrong token or an unknown session", async () => {
    const created = await api<Created>(stack.baseUrl, "POST", "/api/sessions", { json: {} });
    const path = `/api/sessions/${created.body.sessionId}`;

    const noToken = await api(stack.baseUrl, "GET", path);
    expect(noToken.status).toBe(401);
    expect(noToken.body).toMatchObject({ error: { code: "missing_token" } });

    const wrongToken = await api(stack.baseUrl, "GET", path, { token: "x".repeat(43) });
    const unknown = await api(stack.baseUrl, "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", { token: created.body.sessionToken });
    expect(wrongToken.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrongToken.body.error).toEqual(unknown.body.error);
  });

  it("refuses bad input with its status and stores nothing", async () => {
    const before = await redis.dbsize();
    const cases: Array<[string, Parameters<typeof api>[3], number]> = [
      ["not JSON", { rawBody: "locale=en", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 415],
      ["malformed JSON", { rawBody: "{\"locale\":", headers: { "Content-Type": "application/json" } }, 400],
      ["unknown field", { json: { locale: "en", admin: true } }, 400],
      ["invalid locale", { json: { locale: "fr" } }, 400],
      ["body over 16 KiB", { json: { locale: "en", pad: "x".repeat(17 * 1024) } }, 413],
    ];
    for (const [name, init, status] of cases) {
      const response = await api(stack.baseUrl, "POST", "/api/sessions", init);
      expect(response.status, name).toBe(status);
      expect(response.body, name).toMatchObject({ error: { code: expect.any(String), message: expect.any(String) }, requestId: expect.any(String) });
    }
    expect(await redis.dbsize()).toBe(before);
  });

  it("answers a browser's CORS preflight", async () => {
    const response = await fetch(`${stack.baseUrl}/api/sessions`, {
      method: "OPTIONS",
      headers: { Origin: "http://localhost:5173", "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,authorization" },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBeTruthy();
  });

  it("reports every dependency ready", async () => {
    const health = await api(stack.baseUrl, "GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: "ok",
      checks: { redis: { status: "ok" }, s3: { status: "ok" }, dynamodb: { status: "ok" } },
    });
  });
});
