import * as z from "./zod.ts";

/** The kinds of picture Hera generates. */
export const imageKind = /* @__PURE__ */ z.enum(["partner", "child"]);
export type ImageKind = z.infer<typeof imageKind>;

/** Why an image job failed, as `images.{kind}.error` says (each is explained beside `ImageFailureCode`'s use in lib/images/provider.ts). */
export const IMAGE_FAILURE_CODES = [
  "generation_timeout",
  "provider_unavailable",
  "provider_rate_limited",
  "provider_rejected_request",
  "model_unavailable",
  "provider_bad_response",
  "provider_refused",
  "inputs_missing",
  "input_not_decodable",
  "storage_unavailable",
  "dispatch_failed",
  "images_paused",
  "internal_error",
] as const;
export type ImageFailureCode = (typeof IMAGE_FAILURE_CODES)[number];

/** Body of POST /api/sessions/{sessionId}/images: which picture to generate. */
export const requestImageBody = /* @__PURE__ */ z.strictObject({
  kind: imageKind,
});

/** The event the image worker receives (an asynchronous Lambda invocation); anything else is ignored. */
export const imageJobEvent = /* @__PURE__ */ z.object({
  sessionId: z.string().check(z.regex(/^[A-Za-z0-9_-]{22}$/)),
  kind: imageKind,
  jobId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/)),
});

/** One image job to run: which session, which picture, which attempt. */
export type ImageJobEvent = z.infer<typeof imageJobEvent>;
