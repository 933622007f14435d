import { describe, expect, it } from "vitest";
import { z } from "zod";
import { httpHandler } from "../../lib/http/handler.ts";
import { bearerToken } from "../../lib/sessions/tokens.ts";
import { DependencyUnavailableError, SessionBusyError } from "../../lib/errors.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

const body = z.strictObject({ text: z.string().min(1).max(10) });
const calls: unknown[] = [];
const echo = httpHandler({ body: { schema: body, required: true } }, async (request) => {
  calls.push(request.body);
  return { status: 200, body: { got: request.body } };
});
interface ErrorBody {
  error: { code: string; message: string; details: { fields: Array<{ field: string }> } };
  requestId: string;
}
const json = { "Content-Type": "application/json", Origin: "http://localhost:5173" };
const typed = (contentType: string) => ({ "Content-Type": contentType });

async function send(event: ReturnType<typeof httpEvent>, handler = echo) {
  const response = await handler(event, fakeContext());
  return { ...response, json: response.body ? (JSON.parse(response.body) as ErrorBody & Record<string, unknown>) : undefined };
}

describe("the HTTP middleware chain", () => {
  it("passes a valid JSON body to the handler and answers JSON with security headers, none of them empty", async () => {
    const response = await send(httpEvent({ body: JSON.stringify({ text: "hello" }), headers: json }));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ got: { text: "hello" } });
    expect(response.headers["Content-Type"]).toMatch(/^application\/json/);
    expect(response.headers["X-Content-Type-Options"] ?? response.headers["x-content-type-options"]).toBe("nosniff");
    expect(Object.entries(response.headers).filter(([, value]) => value === undefined || String(value).trim() === "")).toEqual([]);
  });

  it("leaves CORS to API Gateway, which ignores a function's CORS headers: it sends none", async () => {
    const response = await send(httpEvent({ body: JSON.stringify({ text: "hello" }), headers: json }));
    expect(Object.keys(response.headers).filter((name) => /^access-control-/i.test(name))).toEqual([]);
  });

  it.each([
    ["no content type", {}, JSON.stringify({ text: "a" }), 415, "unsupported_media_type"],
    ["text/plain", { "Content-Type": "text/plain" }, JSON.stringify({ text: "a" }), 415, "unsupported_media_type"],
    ["JSON in ISO-8859-1", typed("application/json; charset=iso-8859-1"), '{"text":"caf\u00e9"}', 415, "unsupported_media_type"],
    ["JSON in UTF-16", typed('application/json;charset="UTF-16"'), JSON.stringify({ text: "a" }), 415, "unsupported_media_type"],
    ["JSON in an unknown charset", typed("application/json; charset=klingon"), '{"text":"a"}', 415, "unsupported_media_type"],
    ["a malformed media type", typed("application/json; charset"), JSON.stringify({ text: "a" }), 415, "unsupported_media_type"],
    ["malformed JSON", json, '{"text": ', 400, "malformed_json"],
    ["an unknown field", json, JSON.stringify({ text: "a", admin: true }), 400, "invalid_request"],
    ["a value out of range", json, JSON.stringify({ text: "x".repeat(11) }), 400, "invalid_request"],
    ["a __proto__ key", json, '{"text":"a","__proto__":{"polluted":true}}', 400, "malformed_json"],
    ["a missing body", json, undefined, 400, "invalid_request"],
    ["a body over 16 KiB", json, JSON.stringify({ text: "y".repeat(17 * 1024) }), 413, "payload_too_large"],
  ])("refuses %s with its status and never reaches the handler", async (_name, headers, raw, status, code) => {
    calls.length = 0;
    const response = await send(httpEvent({ body: raw, headers }));
    expect(response.statusCode).toBe(status);
    expect(response.json?.error.code).toBe(code);
    expect(response.json?.requestId).toBe("req-test-1");
    expect(calls).toHaveLength(0);
  });

  it.each([
    ["application/json; charset=utf-8"],
    ["application/json; charset=UTF-8"],
    ['application/json;charset="utf-8"'],
    ["application/json; charset=utf8"],
    ["Application/JSON"],
    ["application/merge-patch+json; charset=utf-8"],
  ])("accepts JSON declared as %s", async (contentType) => {
    const headers = { ...json, "Content-Type": contentType };
    const response = await send(httpEvent({ body: JSON.stringify({ text: "caf\u00e9" }), headers }));
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual({ got: { text: "caf\u00e9" } });
  });

  it("names the offending fields in the details of a 400", async () => {
    const response = await send(httpEvent({ body: JSON.stringify({ text: 5, extra: 1 }), headers: json }));
    const fields = (response.json?.error.details.fields ?? []).map((issue) => issue.field);
    expect(fields).toEqual(expect.arrayContaining(["text", "extra"]));
  });

  it("turns an unexpected error into a 500 that leaks nothing", async () => {
    const failing = httpHandler({}, async () => {
      throw new Error('ERR wrong type, command was: ["HSET","hera:dev:session:abc","token"]');
    });
    const response = await send(httpEvent({ method: "GET" }), failing);
    expect(response.statusCode).toBe(500);
    expect(response.json?.error).toEqual({ code: "internal_error", message: "Something went wrong on our side." });
    expect(response.body).not.toMatch(/HSET|command|hera:dev|stack/);
  });

  it("answers a dependency outage with 503 and Retry-After, and a conflict with its code", async () => {
    const down = httpHandler({}, async () => {
      throw new DependencyUnavailableError("redis", new Error("connect ECONNREFUSED"));
    });
    const outage = await send(httpEvent({ method: "GET" }), down);
    expect(outage.statusCode).toBe(503);
    expect(outage.headers["Retry-After"]).toBe("5");
    expect(outage.body).not.toContain("ECONNREFUSED");

    const busy = httpHandler({}, async () => {
      throw new SessionBusyError();
    });
    const conflict = await send(httpEvent({ method: "GET" }), busy);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json?.error.code).toBe("session_busy");
    expect(conflict.headers["Retry-After"]).toBe("1");
  });

  it("lets an optional body be absent", async () => {
    const optional = httpHandler(
      { body: { schema: z.strictObject({ locale: z.enum(["ja", "en"]) }).optional(), required: false } },
      async (request) => ({
        status: 201,
        body: { locale: request.body?.locale ?? "none" },
      }),
    );
    const response = await send(httpEvent({}), optional);
    expect(response.statusCode).toBe(201);
    expect(response.json).toEqual({ locale: "none" });
  });
});

describe("bodies taken exactly as sent", () => {
  const base64Event = (bytes: Buffer) => ({ ...httpEvent({ body: bytes.toString("base64"), headers: json }), isBase64Encoded: true });
  const invalidUtf8 = Buffer.concat([Buffer.from('{"text":"3'), Buffer.from([0xff, 0xfe]), Buffer.from('4"}')]);

  it.each([
    ["invalid UTF-8 bytes, base64-encoded by the gateway", base64Event(invalidUtf8)],
    ["a lone continuation byte", base64Event(Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0x80]), Buffer.from('"}')]))],
    ["an overlong encoding of '/'", base64Event(Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')]))],
    [
      "a UTF-16 surrogate encoded as UTF-8",
      base64Event(Buffer.concat([Buffer.from('{"text":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])),
    ],
    [
      "a body the gateway decoded, holding U+FFFD where invalid bytes were",
      httpEvent({ body: invalidUtf8.toString("utf8"), headers: json }),
    ],
    ["a byte order mark", base64Event(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"a"}')]))],
  ])("refuses %s with 400 malformed_json, never reaching the handler", async (_name, event) => {
    calls.length = 0;
    const response = await send(event);
    expect(response.statusCode).toBe(400);
    expect(response.json?.error.code).toBe("malformed_json");
    expect(calls).toHaveLength(0);
  });

  it("takes valid UTF-8 as sent, base64-encoded or not, and U+FFFD when it is escaped", async () => {
    const text = "caf\u00e9 \u{1F600}";
    expect((await send(base64Event(Buffer.from(JSON.stringify({ text }))))).json).toEqual({ got: { text } });
    expect((await send(httpEvent({ body: JSON.stringify({ text }), headers: json }))).json).toEqual({ got: { text } });
    const escaped = await send(httpEvent({ body: '{"text":"\\ufffd"}', headers: json }));
    expect(escaped.statusCode).toBe(200);
    expect(escaped.json).toEqual({ got: { text: "\uFFFD" } });
  });

  const nested = httpHandler(
    { body: { schema: z.strictObject({ items: z.array(z.looseObject({})), meta: z.looseObject({}).optional() }), required: true } },
    async (request) => {
      calls.push(request.body);
      return { status: 200, body: request.body };
    },
  );

  it.each([
    ["at the top", '{"text":"first","text":"second"}', echo],
    ["spelled with an escape", '{"text":"first","\\u0074ext":"second"}', echo],
    ["in an object inside an array", '{"items":[{"a":1},{"b":1,"b":2}]}', nested],
    ["deep inside", '{"items":[],"meta":{"x":{"y":{"z":1,"z":1}}}}', nested],
  ])("refuses a key named twice %s with 400 malformed_json", async (_name, raw, handler) => {
    calls.length = 0;
    const response = await send(httpEvent({ body: raw, headers: json }), handler);
    expect(response.statusCode).toBe(400);
    expect(response.json?.error.code).toBe("malformed_json");
    expect(calls).toHaveLength(0);
  });

  it("takes the same key in sibling or nested objects, each named once in its own", async () => {
    const raw = '{"items":[{"a":1},{"a":2,"b":{"a":3}}],"meta":{"items":[{"a":4}]}}';
    const response = await send(httpEvent({ body: raw, headers: json }), nested);
    expect(response.statusCode).toBe(200);
    expect(response.json).toEqual(JSON.parse(raw));
  });
});

describe("the headers of every answer", () => {
  const csp = "default-src 'none'; frame-ancestors 'none'";
  const header = (headers: Record<string, string>, name: string) =>
    Object.entries(headers)
      .filter(([key]) => key.toLowerCase() === name.toLowerCase())
      .map(([, value]) => value);

  it.each([
    ["a 200", () => send(httpEvent({ body: JSON.stringify({ text: "hello" }), headers: json })), 200],
    [
      "a 204",
      () =>
        send(
          httpEvent({ method: "DELETE" }),
          httpHandler({}, async () => ({ status: 204 })),
        ),
      204,
    ],
    ["a 400", () => send(httpEvent({ body: "{", headers: json })), 400],
    ["a 413", () => send(httpEvent({ body: JSON.stringify({ text: "y".repeat(17 * 1024) }), headers: json })), 413],
    [
      "a 500",
      () =>
        send(
          httpEvent({ method: "GET" }),
          httpHandler({}, async () => {
            throw new Error("boom");
          }),
        ),
      500,
    ],
    [
      "a 503",
      () =>
        send(
          httpEvent({ method: "GET" }),
          httpHandler({}, async () => {
            throw new DependencyUnavailableError("redis", new Error("down"));
          }),
        ),
      503,
    ],
  ])("puts a Content-Security-Policy and X-Frame-Options on %s, once each, beside the others", async (_name, request, status) => {
    const response = await request();
    expect(response.statusCode).toBe(status);
    expect(header(response.headers, "Content-Security-Policy")).toEqual([csp]);
    expect(header(response.headers, "X-Frame-Options")).toEqual(["DENY"]);
    expect(header(response.headers, "X-Content-Type-Options")).toEqual(["nosniff"]);
    expect(header(response.headers, "Cache-Control")).toEqual(["no-store"]);
  });
});

describe("the $default route", () => {
  it("answers any method and path no route takes with 404 not_found, whatever the body, with every header", async () => {
    const { handler } = await import("../../functions/route-not-found.ts");
    for (const event of [
      httpEvent({ method: "GET" }),
      httpEvent({ method: "PUT", body: "not json at all", headers: { "Content-Type": "text/plain" } }),
      httpEvent({ method: "POST", body: "y".repeat(64 * 1024), headers: json }),
    ]) {
      const response = await send(event, handler);
      expect(response.statusCode).toBe(404);
      expect(response.json?.error).toEqual({ code: "not_found", message: "No such resource." });
      expect(response.headers).toMatchObject({
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
        "X-Frame-Options": "DENY",
        "Cache-Control": "no-store",
      });
    }
  });
});

describe("bearerToken", () => {
  it("reads the token of an Authorization header and refuses its absence with 401", () => {
    expect(bearerToken({ authorization: "Bearer abc_DEF-123" })).toBe("abc_DEF-123");
    for (const authorization of [undefined, "", "Basic abc", "Bearer", "Bearer a b"]) {
      expect(() => bearerToken({ authorization })).toThrowError(expect.objectContaining({ status: 401, code: "missing_token" }));
    }
  });

  it("says a header was sent but is malformed, as when the docs' placeholder is copied literally", () => {
    for (const authorization of ["Bearer <sessionToken>", "Basic abc", "Bearer", "Bearer a b"]) {
      expect(() => bearerToken({ authorization }), authorization).toThrowError(/Authorization header is malformed/);
    }
    for (const authorization of [undefined, "", "  "]) {
      expect(() => bearerToken({ authorization }), String(authorization)).toThrowError(/header is required/);
    }
  });
});
