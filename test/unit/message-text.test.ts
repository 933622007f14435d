import { describe, expect, it } from "vitest";
import { ValidationError } from "../../lib/errors.ts";
import { validate } from "../../lib/http/middlewares.ts";
import { MAX_MESSAGE_LENGTH, postMessageBody } from "../../lib/schemas/messages.ts";

const check = (text: unknown) => validate(postMessageBody, { text });
const refusal = (text: unknown): string[] => {
  try {
    check(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return ((error as ValidationError).details as { fields: Array<{ field: string; message: string }> }).fields.map(
      (f) => `${f.field}: ${f.message}`,
    );
  }
  return [];
};

describe("the text of a message", () => {
  it.each([
    ["empty", ""],
    ["only spaces", "   "],
    ["a zero-width space", "\u200b"],
    ["a run of zero-width characters", "\u200b\u200c\u200d\u2060\ufeff"],
    ["zero-width characters between spaces", " \u200b \u200c "],
    ["only newlines and tabs", "\n\t\n"],
    ["ideographic and no-break spaces", "\u3000\u00a0\u2003"],
    ["a Hangul filler", "\u3164"],
    ["a braille blank", "\u2800"],
    ["a lone combining mark", "\u0301"],
    ["bidi controls only", "\u202e\u2066\u200f"],
  ])("refuses a message with nothing visible: %s", (_, text) => {
    expect(refusal(text)).toEqual(["text: The message must contain at least one visible character."]);
  });

  it.each([
    ["NUL", "\u0000"],
    ["NUL after text", "hello\u0000"],
    ["a bell", "hi\u0007"],
    ["an escape sequence", "\u001b[31mred"],
    ["DEL", "hi\u007f"],
    ["a C1 control", "hi\u0085"],
    ["a lone carriage return", "one\rtwo"],
  ])("refuses control characters other than newline and tab: %s", (_, text) => {
    expect(refusal(text)).toContain("text: The message may not contain control characters other than newline and tab.");
  });

  it("refuses text that is not well-formed Unicode (a lone surrogate)", () => {
    expect(refusal("hi \ud800")).toContain("text: The message is not well-formed Unicode.");
  });

  it.each([
    ["plain text", "I'm 32"],
    ["a newline and a tab", "line one\n\tline two"],
    ["Windows newlines", "line one\r\nline two"],
    ["Japanese", "東京に住んでいます"],
    ["one visible character among spaces", " \u200b a \u200b "],
    ["an emoji made of joined code points", "\u{1f468}\u200d\u{1f469}\u200d\u{1f467}"],
    ["a letter with a combining accent", "e\u0301"],
  ])("accepts %s", (_, text) => {
    expect(check(text)).toEqual({ text });
  });

  it("counts its length in code points, as the API says: 2000 emoji pass, 2001 do not", () => {
    const emoji = "\u{1f600}";
    expect(check(emoji.repeat(MAX_MESSAGE_LENGTH))).toEqual({ text: emoji.repeat(MAX_MESSAGE_LENGTH) });
    expect(check("a".repeat(MAX_MESSAGE_LENGTH)).text).toHaveLength(2000);
    expect(refusal(emoji.repeat(MAX_MESSAGE_LENGTH + 1))).toEqual(["text: The message is longer than 2000 characters."]);
    expect(refusal("a".repeat(MAX_MESSAGE_LENGTH + 1))).toEqual(["text: The message is longer than 2000 characters."]);
  });

  it("refuses a text that is not a string", () => {
    expect(refusal(5)).toHaveLength(1);
  });
});
