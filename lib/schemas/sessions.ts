import * as z from "./zod.ts";

/** The languages a session speaks. */
export const locale = z.enum(["ja", "en"]);
export type Locale = z.infer<typeof locale>;

/** Body of POST /api/sessions: optional, with an optional locale. */
export const createSessionBody = z.pipe(
  z.optional(
    z.strictObject({
      locale: z._default(locale, "ja"),
    }),
  ),
  z.transform((body: { locale: Locale } | undefined) => body ?? { locale: "ja" as const }),
);
