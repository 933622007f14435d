import * as z from "./zod.ts";

/** The languages a session speaks. */
export const locale = z.enum(["ja", "en"]);

/** Body of POST /api/sessions: optional, with an optional locale. */
export const createSessionBody = z.pipe(
  z.optional(
    z.strictObject({
      locale: z._default(locale, "ja"),
    }),
  ),
  z.transform((body: { locale: "ja" | "en" } | undefined) => body ?? { locale: "ja" as const }),
);
