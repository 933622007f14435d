import * as z from "./zod.ts";

/** The longest user message, in code points (Unicode characters, as JSON Schema's maxLength counts them). */
export const MAX_MESSAGE_LENGTH = 2000;

// What shows nothing on its own: white space, controls, format characters (zero-width space, joiners, bidi marks,
// BOM), combining marks without a base, default-ignorable code points (Hangul fillers, variation selectors) and the
// braille blank. A message needs at least one code point outside these.
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{M}\p{Default_Ignorable_Code_Point}\u2800]/u;
// Control characters but newline and tab (and the carriage return of a Windows newline).
const FORBIDDEN_CONTROL = /(?![\t\n\r])\p{Cc}|\r(?!\n)/u;
// In a `u` regular expression a paired surrogate is one code point: what matches is a lone one.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Body of POST /api/sessions/{sessionId}/messages: one user message of 1–2000 code points, with at least one visible
 * character and no control characters but newline and tab.
 */
export const postMessageBody = /* @__PURE__ */ z.strictObject({
  text: z.string().check(
    z.refine((text) => !LONE_SURROGATE.test(text), { message: "The message is not well-formed Unicode." }),
    z.refine((text) => !FORBIDDEN_CONTROL.test(text), {
      message: "The message may not contain control characters other than newline and tab.",
    }),
    // zod counts a string's length in code points, as JSON Schema does.
    z.maxLength(MAX_MESSAGE_LENGTH, { message: `The message is longer than ${MAX_MESSAGE_LENGTH} characters.` }),
    z.refine((text) => VISIBLE.test(text), { message: "The message must contain at least one visible character." }),
    z.meta({
      minLength: 1,
      description: "1–2000 Unicode characters, at least one of them visible; no control characters but newline and tab.",
    }),
  ),
});
