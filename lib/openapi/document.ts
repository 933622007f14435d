import * as z from "../schemas/zod.ts";
import { requestImageBody } from "../schemas/images.ts";
import { postMessageBody } from "../schemas/messages.ts";
import { photoUploadBody, pictureName } from "../schemas/photos.ts";
import { createSessionBody } from "../schemas/sessions.ts";

/** A JSON Schema object as OpenAPI 3.1 embeds it. */
type JsonSchema = Record<string, unknown>;

interface Operation {
  method: "get" | "post" | "delete";
  path: string;
  operationId: string;
  summary: string;
  /** Whether the call needs the session's bearer token. */
  auth: boolean;
  body?: { schema: z.core.$ZodType; required: boolean };
  responses: Record<string, string>;
}

// The error shape of every non-2xx answer (SPEC §3); the handlers build it in lib/http/middlewares.ts.
const errorBody = z.object({
  error: z.object({
    code: z.string().check(z.meta({ description: "A stable snake_case code, e.g. `invalid_request`, `session_not_found`." })),
    message: z.string(),
    details: z.optional(z.unknown()),
  }),
  requestId: z.string(),
});

const sessionId = { name: "sessionId", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9_-]{22}$" } };

const refusals = {
  "401": "No bearer token.",
  "404": "Unknown session or wrong token (indistinguishable).",
  "503": "A dependency is down; retry after `Retry-After` seconds.",
};

function operations(maxPhotoBytes: number): Operation[] {
  return [
    {
      method: "post",
      path: "/api/sessions",
      operationId: "createSession",
      summary: "Open a session; the answer carries its token (shown once) and the interviewer's first question.",
      auth: false,
      body: { schema: createSessionBody, required: false },
      responses: { "201": "The new session.", "400": "Invalid body.", "415": "Not JSON.", "429": "Too many new sessions from this address.", "503": refusals["503"] },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}",
      operationId: "getSession",
      summary: "The whole session view: profile, messages, photo and pictures with short-lived URLs.",
      auth: true,
      responses: { "200": "The session view.", ...refusals },
    },
    {
      method: "delete",
      path: "/api/sessions/{sessionId}",
      operationId: "deleteSession",
      summary: "Erase everything of the session: Redis, S3 objects and the archived result.",
      auth: true,
      responses: { "204": "Erased.", ...refusals },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/messages",
      operationId: "postMessage",
      summary: "Send one user message; the interviewer answers and fills the profile.",
      auth: true,
      body: { schema: postMessageBody, required: true },
      responses: { "200": "The reply and the profile so far.", "400": "Invalid body.", "409": "Session completed or busy.", "429": "Too many messages.", ...refusals },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/photos/user",
      operationId: "requestPhotoUpload",
      summary: "A presigned POST form for the user's photo (type and exact size pinned); the browser posts it to S3.",
      auth: true,
      body: { schema: photoUploadBody(maxPhotoBytes), required: true },
      responses: { "201": "The upload form and the pending photo.", "400": "Invalid body.", "409": "Session completed.", ...refusals },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}/photos/{name}",
      operationId: "getPhoto",
      summary: "A short-lived URL of the user photo or a generated picture.",
      auth: true,
      responses: { "200": "The URL, its expiry and content type.", ...refusals, "404": "Unknown session, wrong token, or picture not ready." },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/images",
      operationId: "requestImage",
      summary: "Generate the partner or child picture, asynchronously.",
      auth: true,
      body: { schema: requestImageBody, required: true },
      responses: {
        "200": "The same picture is already made from the same inputs.",
        "202": "A job is under way.",
        "400": "Invalid body.",
        "409": "Preconditions not met, or session completed.",
        "429": "Daily generation limit reached.",
        ...refusals,
      },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/complete",
      operationId: "completeSession",
      summary: "Finish the session and archive its result (the same answer on repeat).",
      auth: true,
      responses: { "200": "The completed result.", "409": "The profile is not complete.", ...refusals },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}/result",
      operationId: "getResult",
      summary: "The archived result, also after the live session expired.",
      auth: true,
      responses: { "200": "The archived result.", ...refusals },
    },
    {
      method: "get",
      path: "/api/health",
      operationId: "health",
      summary: "Readiness of Redis, S3 and DynamoDB.",
      auth: false,
      responses: { "200": "Every dependency answers.", "503": "A dependency does not answer." },
    },
    {
      method: "get",
      path: "/api/openapi.json",
      operationId: "openapi",
      summary: "This document.",
      auth: false,
      responses: { "200": "The OpenAPI 3.1 document of this API." },
    },
  ];
}

function jsonSchemaOf(schema: z.core.$ZodType): JsonSchema {
  // The input side: what a client sends, before defaults and transforms apply.
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "input" }) as JsonSchema;
  return rest;
}

/** The OpenAPI 3.1 document of the HTTP API; request bodies come from the zod schemas that validate them. */
export function buildOpenApiDocument(options: { maxPhotoBytes: number }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations(options.maxPhotoBytes)) {
    const parameters = [
      ...(operation.path.includes("{sessionId}") ? [sessionId] : []),
      ...(operation.path.includes("{name}") ? [{ name: "name", in: "path", required: true, schema: jsonSchemaOf(pictureName) }] : []),
    ];
    const responses = Object.fromEntries(
      Object.entries(operation.responses).map(([status, description]) => [
        status,
        status === "204" ? { description } : { description, content: { "application/json": { schema: status.startsWith("2") ? { type: "object" } : { $ref: "#/components/schemas/Error" } } } },
      ]),
    );
    paths[operation.path] ??= {};
    paths[operation.path]![operation.method] = {
      operationId: operation.operationId,
      summary: operation.summary,
      ...(operation.auth ? { security: [{ sessionToken: [] }] } : {}),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(operation.body
        ? { requestBody: { required: operation.body.required, content: { "application/json": { schema: jsonSchemaOf(operation.body.schema) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hera API",
      version: "1.0.0",
      description: "The backend of the future-family chat app. Every body is JSON; unknown body fields are refused (400).",
    },
    paths,
    components: {
      securitySchemes: { sessionToken: { type: "http", scheme: "bearer", description: "The sessionToken returned by POST /api/sessions." } },
      schemas: { Error: jsonSchemaOf(errorBody) },
    },
  };
}
