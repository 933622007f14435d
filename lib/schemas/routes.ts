import { ERROR_CODE, type ErrorCode } from "../errors.ts";
import { requestImageBody } from "./images.ts";
import { postMessageBody } from "./messages.ts";
import { photoUploadBody, pictureName } from "./photos.ts";
import { createSessionBody } from "./sessions.ts";
import type * as z from "./zod.ts";

// The route table: one descriptor per endpoint. The OpenAPI document (lib/openapi/document.ts) is built from it, each
// HTTP function takes its validation from its own descriptor (lib/http/handler.ts), and a test checks that every
// descriptor has its function and `httpApi` event in serverless.yml and that serverless.yml has no other route.
// Descriptors name their answers' bodies by OpenAPI component and their refusals by error code, so that a function's
// bundle carries only its own request schema, never the response or error schemas.

/** What a route's body must be: a schema, or one made from the stage's settings (e.g. the largest photo). */
export type BodySchema = z.core.$ZodType | ((settings: RouteSettings) => z.core.$ZodType);

/** The settings a request schema may depend on. */
export interface RouteSettings {
  maxPhotoBytes: number;
}

/** A successful answer: what it means and the OpenAPI component of its body (none for 204). */
export interface SuccessAnswer {
  description: string;
  body?: string;
}

export interface Route {
  /** The function's name in serverless.yml, also the OpenAPI operationId. */
  functionName: string;
  method: "get" | "post" | "delete";
  path: string;
  summary: string;
  tag: "sessions" | "interview" | "pictures" | "results" | "service";
  /** Whether the call needs the session's bearer token (401 `missing_token`, 404 `session_not_found`). */
  auth: boolean;
  body?: { schema: BodySchema; required: boolean };
  /** Whether the call changes state and takes an Idempotency-Key header (docs/api.md, Idempotency-Key). */
  idempotent?: boolean;
  /** Path parameters besides `sessionId` (checked by the session itself): an unknown value is 404 `not_found`. */
  pathParameters?: Record<string, z.core.$ZodType>;
  success: Record<string, SuccessAnswer>;
  /** The codes this route refuses with beyond those every route (or every route with a body or a token) has. */
  errors?: readonly ErrorCode[];
  /** A non-2xx status whose body is not an error (health's 503 report): status → component and meaning. */
  reports?: Record<string, SuccessAnswer>;
  /** What limits the route, for the 429's description. */
  limit?: string;
}

export const createSessionRoute = {
  functionName: "createSession",
  method: "post",
  path: "/api/sessions",
  summary: "Open a session; the answer carries its token (shown once) and the interviewer's first question.",
  tag: "sessions",
  auth: false,
  idempotent: true,
  body: { schema: createSessionBody, required: false },
  success: { "201": { description: "The new session.", body: "CreatedSession" } },
  errors: [ERROR_CODE.rate_limited],
  limit: "Too many new sessions from this address.",
} as const satisfies Route;

export const getSessionRoute = {
  functionName: "getSession",
  method: "get",
  path: "/api/sessions/{sessionId}",
  summary: "The whole session view: profile, messages, photo and pictures with short-lived URLs.",
  tag: "sessions",
  auth: true,
  success: { "200": { description: "The session view.", body: "SessionView" } },
} as const satisfies Route;

export const deleteSessionRoute = {
  functionName: "deleteSession",
  method: "delete",
  path: "/api/sessions/{sessionId}",
  summary: "Erase everything of the session: Redis, S3 objects and the archived result.",
  tag: "sessions",
  auth: true,
  success: { "204": { description: "Erased." } },
} as const satisfies Route;

export const postMessageRoute = {
  functionName: "postMessage",
  method: "post",
  path: "/api/sessions/{sessionId}/messages",
  summary: "Send one user message; the interviewer answers and fills the profile.",
  tag: "interview",
  auth: true,
  idempotent: true,
  body: { schema: postMessageBody, required: true },
  success: { "200": { description: "The reply and the profile so far.", body: "MessageReply" } },
  errors: [
    ERROR_CODE.session_completed,
    ERROR_CODE.message_limit_reached,
    ERROR_CODE.session_busy,
    ERROR_CODE.rate_limited,
    ERROR_CODE.client_chat_limit,
    ERROR_CODE.chat_budget_exhausted,
  ],
  limit: "Too many messages for this session.",
} as const satisfies Route;

export const requestPhotoUploadRoute = {
  functionName: "requestPhotoUpload",
  method: "post",
  path: "/api/sessions/{sessionId}/photos/user",
  summary: "A presigned POST form for the user's photo (type and exact size pinned); the browser posts it to S3.",
  tag: "pictures",
  auth: true,
  idempotent: true,
  body: { schema: (settings: RouteSettings) => photoUploadBody(settings.maxPhotoBytes), required: true },
  success: { "201": { description: "The upload form and the pending photo.", body: "PhotoUploadGrant" } },
  errors: [ERROR_CODE.session_completed],
} as const satisfies Route;

export const getPhotoRoute = {
  functionName: "getPhoto",
  method: "get",
  path: "/api/sessions/{sessionId}/photos/{name}",
  summary: "A short-lived URL of the user photo or a generated picture.",
  tag: "pictures",
  auth: true,
  pathParameters: { name: pictureName },
  success: { "200": { description: "The URL, its expiry and content type.", body: "PictureLink" } },
  errors: [ERROR_CODE.not_found, ERROR_CODE.picture_not_ready],
} as const satisfies Route;

export const requestImageRoute = {
  functionName: "requestImage",
  method: "post",
  path: "/api/sessions/{sessionId}/images",
  summary: "Generate the partner or child picture, asynchronously.",
  tag: "pictures",
  auth: true,
  idempotent: true,
  body: { schema: requestImageBody, required: true },
  success: {
    "200": { description: "The same picture is already made from the same inputs.", body: "ReadyImageResponse" },
    "202": { description: "A job is under way (new, or the one already running).", body: "ImageJobResponse" },
  },
  errors: [
    ERROR_CODE.precondition_failed,
    ERROR_CODE.session_completed,
    ERROR_CODE.session_busy,
    ERROR_CODE.rate_limited,
    ERROR_CODE.client_image_limit,
    ERROR_CODE.image_budget_exhausted,
    ERROR_CODE.images_paused,
  ],
  limit: "The session's daily generations are spent.",
} as const satisfies Route;

export const completeSessionRoute = {
  functionName: "completeSession",
  method: "post",
  path: "/api/sessions/{sessionId}/complete",
  summary: "Finish the session and archive its result (the same answer on repeat).",
  tag: "results",
  auth: true,
  idempotent: true,
  success: { "200": { description: "The completed result.", body: "CompletedSession" } },
  errors: [ERROR_CODE.profile_incomplete, ERROR_CODE.images_pending, ERROR_CODE.session_busy],
} as const satisfies Route;

export const getResultRoute = {
  functionName: "getResult",
  method: "get",
  path: "/api/sessions/{sessionId}/result",
  summary: "The archived result, also after the live session expired.",
  tag: "results",
  auth: true,
  success: { "200": { description: "The archived result.", body: "ArchivedResult" } },
} as const satisfies Route;

export const healthRoute = {
  functionName: "health",
  method: "get",
  path: "/api/health",
  summary: "Readiness of Redis, S3 and DynamoDB.",
  tag: "service",
  auth: false,
  success: { "200": { description: "Every dependency answers.", body: "HealthReport" } },
  reports: { "503": { description: "A dependency does not answer: the report.", body: "HealthReport" } },
} as const satisfies Route;

export const openapiRoute = {
  functionName: "openapi",
  method: "get",
  path: "/api/openapi.json",
  summary: "This document.",
  tag: "service",
  auth: false,
  success: { "200": { description: "The OpenAPI 3.1 document of this API.", body: "OpenApiDocument" } },
} as const satisfies Route;

/**
 * The API's `$default` route: every method and path no route above takes, answered 404 `not_found` in the API's error
 * shape and headers (not API Gateway's bare one). It is no operation of the contract, and reads no body.
 */
export const routeNotFoundRoute = { functionName: "routeNotFound", method: "*", path: "*", ignoreBody: true } as const;

/** Every route, in the order the OpenAPI document lists them. */
export const ROUTES: readonly Route[] = [
  createSessionRoute,
  getSessionRoute,
  deleteSessionRoute,
  postMessageRoute,
  requestPhotoUploadRoute,
  getPhotoRoute,
  requestImageRoute,
  completeSessionRoute,
  getResultRoute,
  healthRoute,
  openapiRoute,
];

/** The codes a route can answer with: its own, and those of the chain (body, token, failures) that apply to it. */
export function routeErrorCodes(route: Route): ErrorCode[] {
  const codes: ErrorCode[] = [
    ERROR_CODE.invalid_request,
    ...(route.body ? [ERROR_CODE.malformed_json] : []),
    ERROR_CODE.payload_too_large,
    ERROR_CODE.unsupported_media_type,
    ...(route.auth ? [ERROR_CODE.missing_token, ERROR_CODE.session_not_found] : []),
    ...(route.idempotent ? [ERROR_CODE.invalid_idempotency_key, ERROR_CODE.idempotency_key_in_use, ERROR_CODE.idempotency_key_reused] : []),
    ...(route.errors ?? []),
    ERROR_CODE.internal_error,
    ERROR_CODE.dependency_unavailable,
  ];
  return [...new Set(codes)];
}
