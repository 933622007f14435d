import * as z from "zod";

/** Body of POST /api/sessions: optional, with an optional locale. */
export const createSessionBody = z
  .strictObject({
    locale: z.enum(["ja", "en"]).default("ja"),
  })
  .optional()
  .transform((body) => body ?? { locale: "ja" as const });
