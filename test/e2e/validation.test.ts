import { describe, expect, inject, it } from "vitest";
import { api } from "../helpers/api.ts";
import { openSessionOverHttp } from "../helpers/flows.ts";

// What a developer reads in a 400 from the running stack, whose functions serverless-offline runs from their esbuild
// bundles: each detail names the field, what it allows and the type received (never the value).

const stack = inject("stack");

describe("validation details over HTTP, from the bundled functions", () => {
  it.each([
    [
      "a wrong field",
      "messages",
      { message: "34" },
      [
        { field: "text", message: "Required: expected a string, but it is missing." },
        { field: "message", message: 'Unknown field: this object takes only "text".' },
      ],
    ],
    ["a wrong type", "messages", { text: 34 }, [{ field: "text", message: "Expected a string, received an integer." }]],
    [
      "an unknown key",
      "images",
      { kind: "partner", style: "oil" },
      [{ field: "style", message: 'Unknown field: this object takes only "kind".' }],
    ],
    [
      "a value outside an enum",
      "photos/user",
      { contentType: "image/gif", contentLength: 1000 },
      [
        {
          field: "contentType",
          message: 'Expected one of "image/jpeg", "image/png", "image/webp"; received a string that is not one of them.',
        },
      ],
    ],
  ])("names the field and what is allowed for %s", async (_name, route, json, fields) => {
    // Prepare
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    // Act
    const response = await api(stack.baseUrl, "POST", `/api/sessions/${session.sessionId}/${route}`, { json, token: session.sessionToken });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: "invalid_request", details: { fields } } });
  });

  it("says a bearer header copied from the docs with its placeholder is malformed, not missing", async () => {
    // Prepare
    const session = await openSessionOverHttp(stack.baseUrl, "en");
    // Act
    const response = await api(stack.baseUrl, "GET", `/api/sessions/${session.sessionId}`, {
      headers: { Authorization: "Bearer <sessionToken>" },
    });
    // Assess
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: "missing_token", message: expect.stringContaining("header is malformed") } });
  });

  it("lists the locales a session can speak", async () => {
    const response = await api(stack.baseUrl, "POST", "/api/sessions", { json: { locale: "fr" } });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({
      error: {
        details: { fields: [{ field: "locale", message: 'Expected one of "ja", "en"; received a string that is not one of them.' }] },
      },
    });
  });
});
