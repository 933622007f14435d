import { describe, expect, inject, it } from "vitest";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { api } from "../helpers/api.ts";

const stack = inject("stack");

describe("GET /api/openapi.json", () => {
  it("serves the OpenAPI document built from the request schemas", async () => {
    const response = await api(stack.baseUrl, "GET", "/api/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.body).toEqual(buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }));
  });
});

describe("the contract check of the e2e helper", () => {
  it("fails a call whose route the document does not describe", async () => {
    await expect(api(stack.baseUrl, "GET", "/api/no-such-route")).rejects.toThrow(/no such route in openapi\.json/);
  });
});
