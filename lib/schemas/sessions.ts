import * as z from "./zod.ts";

/** Body of POST /api/sessions: optional, with an optional locale. */
export const createSessionBody = z.pipe(
  z.optional(
    z.strictObject({
      locale: z._default(z.enum(["ja", "en"]), "ja"),
    }),
  ),
  z.transform((body: { locale: "ja" | "en" } | undefined) => body ?? { locale: "ja" as const }),
);
