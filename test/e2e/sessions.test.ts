import { Redis } from "@upstash/redis";
import { describe, expect, inject, it } from "vitest";
import { api, heraClient } from "../helpers/api.ts";
import { asOwner, openSessionOverHttp } from "../helpers/flows.ts";

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

describe("bodies taken exactly as sent, over HTTP", () => {
  const postRaw = (path: string, body: Buffer | string, token: string) =>
    fetch(`${stack.baseUrl}${path}`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
      body: typeof body === "string" ? body : new Uint8Array(body),
      signal: AbortSignal.timeout(30_000),
    });

  it.each([
    ["invalid UTF-8 bytes", Buffer.concat([Buffer.from('{"text":"3'), Buffer.from([0xff, 0xfe]), Buffer.from('4"}')])],
    ["a key named twice", '{"text":"first","text":"second"}'],
  ])("refuses a message with %s with 400 malformed_json, storing nothing", async (_name, body) => {
    // Prepare: a session with its first question only.
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const path = `/api/sessions/${session.sessionId}/messages`;

    // Act: the raw bytes, as a client would send them.
    const response = await postRaw(path, body, session.sessionToken);

    // Assess: refused, and the session holds no new message.
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("malformed_json");
    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data!.messages).toHaveLength(1);
    expect(view.data!.profile).toEqual({});
  });

  it("takes a message that spells U+FFFD as the escape \\ufffd, and stores the character", async () => {
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    const response = await postRaw(`/api/sessions/${session.sessionId}/messages`, '{"text":"I am 34 \\ufffd"}', session.sessionToken);
    expect(response.status).toBe(200);
    const view = await client.GET("/api/sessions/{sessionId}", asOwner(session));
    expect(view.data!.messages[1]).toMatchObject({ role: "user", text: "I am 34 \uFFFD" });
  });
});
