import * as z from "./zod.ts";

/** The longest user message (docs/api.md, Limits). */
export const MAX_MESSAGE_LENGTH = 2000;

/** Body of POST /api/sessions/{sessionId}/messages: one user message of 1–2000 characters. */
export const postMessageBody = /* @__PURE__ */ z.strictObject({
  text: z.string().check(
    z.maxLength(MAX_MESSAGE_LENGTH),
    z.refine((text) => text.trim().length > 0, { message: "The message is empty." }),
  ),
});
