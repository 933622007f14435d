import { describe, expect, it } from "vitest";
import { ValidationError } from "../../lib/errors.ts";
import { validate } from "../../lib/http/middlewares.ts";
import { requestImageBody } from "../../lib/schemas/images.ts";
import { postMessageBody } from "../../lib/schemas/messages.ts";
import { photoUploadBody } from "../../lib/schemas/photos.ts";
import { createSessionBody } from "../../lib/schemas/sessions.ts";
import type * as z from "../../lib/schemas/zod.ts";

// The details of a 400 as a developer reads them: each names the field, what it expects (type, allowed values,
// bounds) and the type it received, never the value. The packaged bundles are checked the same way in
// test/integration/packages.test.ts, and the running stack in test/e2e/sessions.test.ts.

function detailsOf(schema: z.core.$ZodType, value: unknown): Array<{ field: string; message: string }> {
  try {
    validate(schema, value);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return ((error as ValidationError).details as { fields: Array<{ field: string; message: string }> }).fields;
  }
  throw new Error("the value passed validation");
}

describe("validation details", () => {
  it("name a missing field and an unknown key, each on its own, with the fields the body takes", () => {
    // Act
    const details = detailsOf(postMessageBody, { message: "34" });
    // Assess
    expect(details).toEqual([
      { field: "text", message: "Required: expected a string, but it is missing." },
      { field: "message", message: 'Unknown field: this object takes only "text".' },
    ]);
  });

  it("give one detail per unknown key", () => {
    const details = detailsOf(createSessionBody, { locale: "en", mood: "happy", colour: "blue" });
    expect(details.map((detail) => detail.field)).toEqual(["mood", "colour"]);
    for (const detail of details) expect(detail.message).toBe('Unknown field: this object takes only "locale".');
  });

  it("name the expected type and the type received", () => {
    expect(detailsOf(postMessageBody, { text: 34 })).toEqual([{ field: "text", message: "Expected a string, received an integer." }]);
    expect(detailsOf(postMessageBody, null)).toEqual([{ field: "body", message: "Expected an object, received null." }]);
    expect(detailsOf(photoUploadBody(100), { contentType: "image/png", contentLength: 1.5 })).toEqual([
      { field: "contentLength", message: "Expected an integer, received a number with a fraction." },
    ]);
  });

  it.each([
    [createSessionBody, { locale: "fr" }, "locale", 'Expected one of "ja", "en"; received a string that is not one of them.'],
    [createSessionBody, { locale: 5 }, "locale", 'Expected one of "ja", "en"; received an integer.'],
    [
      photoUploadBody(100),
      { contentType: "image/gif", contentLength: 10 },
      "contentType",
      'Expected one of "image/jpeg", "image/png", "image/webp"; received a string that is not one of them.',
    ],
    [requestImageBody, {}, "kind", 'Required: expected one of "partner", "child", but it is missing.'],
  ])("list the allowed values of an enum (%#)", (schema, value, field, message) => {
    expect(detailsOf(schema, value)).toEqual([{ field, message }]);
  });

  it("name the bounds a number is outside of", () => {
    expect(detailsOf(photoUploadBody(100), { contentType: "image/png", contentLength: 0 })).toEqual([
      { field: "contentLength", message: "Expected at least 1; received an integer below that." },
    ]);
    expect(detailsOf(photoUploadBody(100), { contentType: "image/png", contentLength: 101 })).toEqual([
      { field: "contentLength", message: "Expected at most 100; received an integer above that." },
    ]);
  });

  it("never carry the value received", () => {
    const secret = "my-private-answer-7f3a";
    const details = detailsOf(createSessionBody, { locale: secret, [secret.slice(0, 5)]: secret });
    expect(JSON.stringify(details.map((detail) => detail.message))).not.toContain("my-pr");
  });
});
