import { Redis } from "@upstash/redis";
import { describe, expect, inject, it } from "vitest";
import { api, heraClient } from "../helpers/api.ts";
import { asOwner } from "../helpers/flows.ts";

const stack = inject("stack");
const redis = new Redis({ url: stack.redisUrl, token: stack.redisToken, enableTelemetry: false });
const client = heraClient(stack.baseUrl);

describe("sessions over HTTP", () => {
  it("creates a session and reads it back with its token", async () => {
    const { data: created, response } = await client.POST("/api/sessions", { body: { locale: "en" } });
    expect(response.status).toBe(201);
    expect(created).toMatchObject({ status: "collecting" });
    expect(created!.sessionId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(created!.sessionToken.length).toBeGreaterThanOrEqual(22);
    expect(created!.reply.length).toBeGreaterThan(0);
    expect(Date.parse(created!.expiresAt)).toBeGreaterThan(Date.parse(created!.createdAt));

    const read = await client.GET("/api/sessions/{sessionId}", asOwner(created!));
    expect(read.response.status).toBe(200);
    expect(read.data).toMatchObject({
      sessionId: created!.sessionId,
      status: "collecting",
      locale: "en",
      createdAt: created!.createdAt,
      profile: {},
      profileComplete: false,
      photo: null,
      images: { partner: null, child: null },
      messages: [{ role: "assistant", text: created!.reply, at: created!.createdAt }],
    });
    expect(read.response.headers.get("access-control-allow-origin")).toBeTruthy();
    expect(read.response.headers.get("cache-control")).toBe("no-store");
  });

  it("opens a Japanese session without a body", async () => {
    const created = await client.POST("/api/sessions");
    expect(created.response.status).toBe(201);
    const read = await client.GET("/api/sessions/{sessionId}", asOwner(created.data!));
    expect(read.data).toMatchObject({ locale: "ja" });
  });

  it("answers 401 without a token and the same 404 for a wrong token or an unknown session", async () => {
    const { data: created } = await client.POST("/api/sessions", { body: {} });
    const path = `/api/sessions/${created!.sessionId}`;

    const noToken = await api(stack.baseUrl, "GET", path);
    expect(noToken.status).toBe(401);
    expect(noToken.body).toMatchObject({ error: { code: "missing_token" } });

    const wrongToken = await api(stack.baseUrl, "GET", path, { token: "x".repeat(43) });
    const unknown = await api(stack.baseUrl, "GET", "/api/sessions/AAAAAAAAAAAAAAAAAAAAAA", { token: created!.sessionToken });
    expect(wrongToken.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(wrongToken.body.error).toEqual(unknown.body.error);
  });

  it("refuses bad input with its status and stores nothing", async () => {
    const before = await redis.dbsize();
    const cases: Array<[string, Parameters<typeof api>[3], number]> = [
      ["not JSON", { rawBody: "locale=en", headers: { "Content-Type": "application/x-www-form-urlencoded" } }, 415],
      ["malformed JSON", { rawBody: '{"locale":', headers: { "Content-Type": "application/json" } }, 400],
      ["unknown field", { json: { locale: "en", admin: true } }, 400],
      ["invalid locale", { json: { locale: "fr" } }, 400],
      ["body over 16 KiB", { json: { locale: "en", pad: "x".repeat(17 * 1024) } }, 413],
    ];
    for (const [name, init, status] of cases) {
      const response = await api(stack.baseUrl, "POST", "/api/sessions", init);
      expect(response.status, name).toBe(status);
      expect(response.body, name).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
        requestId: expect.any(String),
      });
    }
    expect(await redis.dbsize()).toBe(before);
  });

  it("answers a browser's CORS preflight", async () => {
    const response = await fetch(`${stack.baseUrl}/api/sessions`, {
      method: "OPTIONS",
      headers: {
        Origin: "http://localhost:5173",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization",
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get("access-control-allow-origin")).toBeTruthy();
  });

  it("reports every dependency ready", async () => {
    const health = await client.GET("/api/health");
    expect(health.response.status).toBe(200);
    expect(health.data).toMatchObject({
      status: "ok",
      checks: { redis: { status: "ok" }, s3: { status: "ok" }, dynamodb: { status: "ok" } },
    });
  });
});
