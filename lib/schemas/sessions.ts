import * as z from "./zod.ts";

/** The languages a session speaks. */
export const locale = /* @__PURE__ */ z.enum(["ja", "en"]);
export type Locale = z.infer<typeof locale>;

/** Body of POST /api/sessions: optional, with an optional locale. */
export const createSessionBody = /* @__PURE__ */ z.pipe(
  z.optional(
    z.strictObject({
      locale: z._default(locale, "ja"),
    }),
  ),
  z.transform((body: { locale: Locale } | undefined) => body ?? { locale: "ja" as const }),
);
