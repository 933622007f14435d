import { IMAGE_FAILURE_CODES, imageKind } from "./images.ts";
import { childSchema, partnerSchema, personalitySchema, profileField, profileSchema } from "./profile.ts";
import { locale } from "./sessions.ts";
import { photoRejection } from "./photos.ts";
import * as z from "./zod.ts";

// What every 2xx answer of the HTTP API holds. Each schema is the single source of its body's TypeScript type (the
// domain's view builders are typed by `z.infer` of it), of its OpenAPI entry (lib/openapi/document.ts) and of the
// check the end-to-end tests run on every answer. Objects are strict: a field the code adds without adding it here
// fails the tests. Nothing here imports a domain module; the domain imports these types.

const described = <Schema extends z.ZodMiniType>(schema: Schema, description: string): Schema => schema.check(z.meta({ description }));

/** An ISO-8601 UTC timestamp, as `Date.prototype.toISOString` writes it. */
export const timestamp = z.iso.datetime();

/** A presigned S3 URL: short-lived, usable directly in `<img src>` or as a form's action. */
export const presignedUrl = z.url();

/** A live session's state: collecting answers, or completed (archived, read-only). */
export const sessionStatus = z.enum(["collecting", "completed"]);

// The profile's own schema (lib/schemas/profile.ts) is what the API answers with: one definition, not a copy.
export { profileField };
/** Big Five scores, 0–1; the profile counts as answered once two are set. */
export const personalityBody = personalitySchema;
/** The current partner (dating, married) or the imagined one. */
export const partnerBody = partnerSchema;
/** A wished child; `either` is a complete answer (no preference). */
export const childBody = childSchema;
/** The interview profile so far: every field is optional until the interview fills it. */
export const profileBody = profileSchema;

/** One line of the interview. */
export const chatMessageBody = z.strictObject({
  role: z.enum(["user", "assistant"]),
  text: z.string(),
  at: timestamp,
});

/** The user's photo: `url` once it is ready, `reason` once it is rejected. */
export const photoViewBody = z.strictObject({
  status: z.enum(["pending", "ready", "rejected"]),
  contentType: described(
    z.string(),
    "The declared type (image/jpeg, image/png or image/webp) while pending or rejected; image/jpeg once ready: the checked copy, the photo served.",
  ),
  size: z.optional(
    described(z.int().check(z.minimum(0)), "Bytes: as declared while pending, as uploaded when rejected, of the checked copy once ready."),
  ),
  url: z.optional(presignedUrl),
  reason: z.optional(described(photoRejection, "Why the photo was refused (docs/api.md, The user photo).")),
});

/** A generated picture: `url` once it is ready, `error` once it failed. */
export const imageViewBody = z.strictObject({
  status: z.enum(["pending", "running", "ready", "failed"]),
  jobId: z.string(),
  url: z.optional(presignedUrl),
  error: z.optional(described(z.string(), `Why the job failed: ${IMAGE_FAILURE_CODES.join(", ")}.`)),
  message: z.optional(
    described(z.string(), "What a person should read about `error`, in the session's language (a refusal says so in words)."),
  ),
});

/** 201 of POST /api/sessions: the new session, its token (shown once) and the interviewer's first question. */
export const createdSessionBody = z.strictObject({
  sessionId: z.string(),
  sessionToken: described(z.string(), "The bearer token of every later call; shown only here, stored only as a hash."),
  status: z.literal("collecting"),
  createdAt: timestamp,
  expiresAt: timestamp,
  reply: z.string(),
});

/** 200 of GET /api/sessions/{sessionId}: the whole session as its owner may see it. */
export const sessionViewBody = z.strictObject({
  sessionId: z.string(),
  status: sessionStatus,
  locale,
  createdAt: timestamp,
  updatedAt: timestamp,
  expiresAt: timestamp,
  profile: profileBody,
  missingFields: z.array(profileField),
  profileComplete: z.boolean(),
  messages: z.array(chatMessageBody),
  photo: z.nullable(photoViewBody),
  images: z.strictObject({ partner: z.nullable(imageViewBody), child: z.nullable(imageViewBody) }),
  completedAt: z.optional(timestamp),
});

/** 200 of POST /api/sessions/{sessionId}/messages: the interviewer's answer and the profile after it. */
export const messageReplyBody = z.strictObject({
  reply: z.string(),
  extracted: described(z.array(profileField), "The fields this message filled in."),
  profile: profileBody,
  missingFields: z.array(profileField),
  profileComplete: z.boolean(),
  status: sessionStatus,
});

/** A presigned S3 POST: post `fields` and then the file (as `file`) as multipart/form-data to `url`. */
export const photoUploadFormBody = z.strictObject({
  method: z.literal("POST"),
  url: presignedUrl,
  fields: z.record(z.string(), z.string()),
  expiresAt: timestamp,
});

/** 201 of POST /api/sessions/{sessionId}/photos/user: the upload form and the photo, pending until S3 has it. */
export const photoUploadGrantBody = z.strictObject({
  upload: photoUploadFormBody,
  photo: z.strictObject({ status: z.literal("pending") }),
});

/** 200 of GET /api/sessions/{sessionId}/photos/{name}: a short-lived URL of the picture. */
export const pictureLinkBody = z.strictObject({
  url: presignedUrl,
  expiresAt: timestamp,
  contentType: z.string(),
});

/** A generation under way (pending until the worker claims it, then running). */
export const imageJobBody = z.strictObject({
  kind: imageKind,
  status: z.enum(["pending", "running"]),
  jobId: z.string(),
});

/** A picture made from the session's current inputs. */
export const readyImageBody = z.strictObject({
  kind: imageKind,
  status: z.literal("ready"),
  jobId: z.string(),
  url: presignedUrl,
});

/** 202 of POST /api/sessions/{sessionId}/images: the job; poll the session until its image is ready or failed. */
export const imageJobResponseBody = z.strictObject({ image: imageJobBody });

/** 200 of POST /api/sessions/{sessionId}/images: the same picture, already made from the same inputs. */
export const readyImageResponseBody = z.strictObject({ image: readyImageBody });

/** A picture of a result, by short-lived URL. */
export const resultPictureBody = z.strictObject({ url: presignedUrl });

/** What a completed session keeps: the profile and the pictures that exist. */
export const resultBody = z.strictObject({
  profile: profileBody,
  photo: z.nullable(resultPictureBody),
  images: z.strictObject({ partner: z.nullable(resultPictureBody), child: z.nullable(resultPictureBody) }),
});

/** When the result stops being served (RETENTION_DAYS after completion): from then on its reads are 404. */
const resultExpiry = described(
  timestamp,
  "When the result and its pictures stop being served (404 from then on): `RETENTION_DAYS` after completion.",
);

/** 200 of POST /api/sessions/{sessionId}/complete: the same `completedAt` on every repeat. */
export const completedSessionBody = z.strictObject({
  status: z.literal("completed"),
  completedAt: timestamp,
  expiresAt: resultExpiry,
  result: resultBody,
});

/** 200 of GET /api/sessions/{sessionId}/result: the archive, also after the live session expired. */
export const archivedResultBody = z.strictObject({
  sessionId: z.string(),
  completedAt: timestamp,
  expiresAt: resultExpiry,
  result: resultBody,
});

/** Whether a dependency answered. */
export const checkStatus = z.enum(["ok", "unavailable"]);

/** One readiness check. */
export const healthCheckBody = z.strictObject({
  status: checkStatus,
  latencyMs: z.int().check(z.minimum(0)),
});

/** 200 / 503 of GET /api/health: every dependency's check (`redis`, `s3`, `dynamodb`). */
export const healthReportBody = z.strictObject({
  status: checkStatus,
  checks: z.record(z.string(), healthCheckBody),
});

/** 200 of GET /api/openapi.json: an OpenAPI 3.1 document. */
export const openApiDocumentBody = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});
