import * as z from "../schemas/zod.ts";
import * as errors from "../schemas/errors.ts";
import { imageKind, requestImageBody } from "../schemas/images.ts";
import { postMessageBody } from "../schemas/messages.ts";
import { photoUploadBody, pictureName } from "../schemas/photos.ts";
import * as responses from "../schemas/responses.ts";
import { createSessionBody, locale } from "../schemas/sessions.ts";

/** A JSON Schema object as OpenAPI 3.1 embeds it. */
type JsonSchema = Record<string, unknown>;

type Schema = z.core.$ZodType;

/** One status a route answers with: what it means, the body's schema (one of several), and headers it carries. */
interface Answer {
  description: string;
  body?: Schema | readonly Schema[];
  headers?: ReadonlyArray<keyof typeof HEADERS>;
}

interface Operation {
  method: "get" | "post" | "delete";
  path: string;
  operationId: string;
  summary: string;
  tag: keyof typeof TAGS;
  /** Whether the call needs the session's bearer token. */
  auth: boolean;
  body?: { schema: Schema; required: boolean };
  /** Whether the call changes state and takes an Idempotency-Key header (its refusals are added to `responses`). */
  idempotent?: boolean;
  responses: Record<string, Answer>;
}

const TAGS = {
  sessions: "Open, read, complete and erase a session.",
  interview: "The chat that fills the profile.",
  pictures: "The user's photo (a presigned POST straight to S3) and the generated pictures.",
  results: "The archive of a completed session.",
  service: "Readiness and this document.",
} as const;

const HEADERS = {
  "Retry-After": { description: "Seconds to wait before trying again.", schema: { type: "integer", minimum: 1 } },
  "WWW-Authenticate": { description: "The scheme to authenticate with.", schema: { type: "string", const: "Bearer" } },
} as const;

/** Every shape a response can take, by component name; each 2xx body, its parts, and each error family. */
const RESPONSE_COMPONENTS: Record<string, { schema: Schema; description: string }> = {
  Timestamp: { schema: responses.timestamp, description: "An ISO-8601 UTC timestamp, e.g. `2026-01-31T09:30:00.000Z`." },
  PresignedUrl: { schema: responses.presignedUrl, description: "A presigned S3 URL, valid for minutes; usable directly in `<img src>`." },
  Locale: { schema: locale, description: "The language of the session: its questions and the parsing of its answers." },
  SessionStatus: {
    schema: responses.sessionStatus,
    description: "`collecting` until completed; a completed session takes no more changes.",
  },
  ProfileField: { schema: responses.profileField, description: "A top-level profile field, in the stable order of `missingFields`." },
  ImageKind: {
    schema: imageKind,
    description: "A generated picture: the partner, or the child (made from the user photo and the partner).",
  },
  Personality: { schema: responses.personalityBody, description: "Big Five scores from 0 to 1; answered once at least two are set." },
  Partner: { schema: responses.partnerBody, description: "The current partner (dating, married) or the ideal one." },
  Child: { schema: responses.childBody, description: "A wished child; `desiredGender: either` is a complete answer." },
  Profile: { schema: responses.profileBody, description: "The interview profile so far; every field is optional until filled." },
  ChatMessage: { schema: responses.chatMessageBody, description: "One line of the interview." },
  PhotoView: { schema: responses.photoViewBody, description: "The user photo: `url` when ready, `reason` when rejected." },
  ImageView: { schema: responses.imageViewBody, description: "A generated picture: `url` when ready, `error` (a code) when failed." },
  CreatedSession: {
    schema: responses.createdSessionBody,
    description: "A new session, its bearer token (shown once) and the first question.",
  },
  SessionView: { schema: responses.sessionViewBody, description: "The whole session, with presigned URLs of the pictures that are ready." },
  MessageReply: { schema: responses.messageReplyBody, description: "The interviewer's answer and the profile after the message." },
  PhotoUploadForm: {
    schema: responses.photoUploadFormBody,
    description: "A presigned S3 POST: send `fields`, then `file`, as multipart/form-data.",
  },
  PhotoUploadGrant: { schema: responses.photoUploadGrantBody, description: "The upload form, and the photo, pending until it is checked." },
  PictureLink: { schema: responses.pictureLinkBody, description: "A short-lived URL of a picture." },
  ImageJob: { schema: responses.imageJobBody, description: "A generation under way." },
  ReadyImage: { schema: responses.readyImageBody, description: "A picture made from the session's current inputs." },
  ImageJobResponse: {
    schema: responses.imageJobResponseBody,
    description: "A job under way; poll the session until its image is ready or failed.",
  },
  ReadyImageResponse: { schema: responses.readyImageResponseBody, description: "The picture, already made from the same inputs." },
  ResultPicture: { schema: responses.resultPictureBody, description: "A picture of the result, by presigned URL." },
  Result: { schema: responses.resultBody, description: "What a completed session keeps: the profile and the pictures that exist." },
  CompletedSession: {
    schema: responses.completedSessionBody,
    description: "The completed session; the same `completedAt` on every repeat.",
  },
  ArchivedResult: { schema: responses.archivedResultBody, description: "The archived result, also after the live session expired." },
  CheckStatus: { schema: responses.checkStatus, description: "Whether a dependency answered in time." },
  HealthCheck: { schema: responses.healthCheckBody, description: "One dependency's readiness check." },
  HealthReport: {
    schema: responses.healthReportBody,
    description: "The readiness of Redis, S3 and DynamoDB (`checks.redis`, `checks.s3`, `checks.dynamodb`).",
  },
  OpenApiDocument: { schema: responses.openApiDocumentBody, description: "An OpenAPI 3.1 document." },
  FieldIssue: { schema: errors.fieldIssueBody, description: "A field that failed validation (dotted path; `body` for the whole body)." },
  InvalidRequestError: {
    schema: errors.invalidRequestError,
    description: "`invalid_request`: the body failed validation; `details.fields` names each field.",
  },
  MalformedJsonError: {
    schema: errors.malformedJsonError,
    description: "`malformed_json`: the body is not valid JSON or holds a forbidden key.",
  },
  MissingTokenError: { schema: errors.missingTokenError, description: "`missing_token`: no `Authorization: Bearer` header." },
  SessionNotFoundError: {
    schema: errors.sessionNotFoundError,
    description: "`session_not_found`: unknown session or wrong token (indistinguishable).",
  },
  PictureNotFoundError: {
    schema: errors.pictureNotFoundError,
    description: "`not_found`: no such picture name; `picture_not_ready`: not there yet.",
  },
  SessionCompletedError: {
    schema: errors.sessionCompletedError,
    description: "`session_completed`: the session is completed and can no longer change.",
  },
  SessionBusyError: {
    schema: errors.sessionBusyError,
    description: "`session_busy`: a concurrent change won; retry after `Retry-After` seconds.",
  },
  MessageLimitError: { schema: errors.messageLimitError, description: "`message_limit_reached`: the session took its last user message." },
  ProfileIncompleteError: {
    schema: errors.profileIncompleteError,
    description: "`profile_incomplete`: `details.missingFields` lists what completion needs.",
  },
  ImagesPendingError: {
    schema: errors.imagesPendingError,
    description: "`images_pending`: a picture is being generated; complete after `Retry-After` seconds.",
  },
  PreconditionFailedError: {
    schema: errors.preconditionFailedError,
    description: "`precondition_failed`: `details.missing` lists what the picture needs.",
  },
  InvalidIdempotencyKeyError: {
    schema: errors.invalidIdempotencyKeyError,
    description: "`invalid_idempotency_key`: the Idempotency-Key header is not 16–255 visible ASCII characters.",
  },
  IdempotencyKeyInUseError: {
    schema: errors.idempotencyKeyInUseError,
    description: "`idempotency_key_in_use`: the first request with this key is still running; retry after `Retry-After` seconds.",
  },
  IdempotencyKeyReusedError: {
    schema: errors.idempotencyKeyReusedError,
    description: "`idempotency_key_reused`: the key was used for a different request; send a new key.",
  },
  PayloadTooLargeError: { schema: errors.payloadTooLargeError, description: "`payload_too_large`: the body is over `details.limitBytes`." },
  UnsupportedMediaTypeError: {
    schema: errors.unsupportedMediaTypeError,
    description: "`unsupported_media_type`: the body is not `application/json`.",
  },
  RateLimitedError: { schema: errors.rateLimitedError, description: "`rate_limited`: retry after `Retry-After` seconds." },
  DependencyUnavailableError: {
    schema: errors.dependencyUnavailableError,
    description: "`dependency_unavailable`: nothing was half-applied; retry after `Retry-After`.",
  },
  InternalError: {
    schema: errors.internalError,
    description: "`internal_error`: a bug or a deployment mistake; the message says nothing more.",
  },
};

// Refusals that every route of the chain can answer with.
const notJsonRefusals = (takesBody: boolean): Record<string, Answer> => ({
  "400": takesBody
    ? {
        description: "The body is invalid (`invalid_request`, fields in `details.fields`) or not valid JSON (`malformed_json`).",
        body: [errors.invalidRequestError, errors.malformedJsonError],
      }
    : { description: "A body was sent to a route that takes none (`invalid_request`).", body: errors.invalidRequestError },
  "413": { description: "The body is larger than 16 KiB.", body: errors.payloadTooLargeError },
  "415": { description: "A body not sent as `Content-Type: application/json`.", body: errors.unsupportedMediaTypeError },
});
const tokenRefusals: Record<string, Answer> = {
  "401": { description: "No bearer token.", body: errors.missingTokenError, headers: ["WWW-Authenticate"] },
  "404": { description: "Unknown session or wrong token (indistinguishable).", body: errors.sessionNotFoundError },
};
const internalFailure: Answer = {
  description: "A bug or a deployment mistake (e.g. a missing secret); nothing more is said.",
  body: errors.internalError,
};
const failures: Record<string, Answer> = {
  "500": internalFailure,
  "503": {
    description: "A dependency is down, slow or failing; retry after `Retry-After` seconds.",
    body: errors.dependencyUnavailableError,
    headers: ["Retry-After"],
  },
};
const asList = (body: Answer["body"]): Schema[] => (body === undefined ? [] : Array.isArray(body) ? [...body] : [body as Schema]);

/** A state-changing route's answers with the refusals of its Idempotency-Key added (docs/api.md, Idempotency-Key). */
function withIdempotencyRefusals(answers: Record<string, Answer>): Record<string, Answer> {
  const merged = { ...answers };
  const add = (status: string, answer: Answer) => {
    const existing = merged[status];
    merged[status] = existing
      ? {
          description: `${existing.description} ${answer.description}`,
          body: [...asList(existing.body), ...asList(answer.body)],
          headers: [...new Set([...(existing.headers ?? []), ...(answer.headers ?? [])])],
        }
      : answer;
  };
  add("400", {
    description: "Or the Idempotency-Key header is malformed (`invalid_idempotency_key`).",
    body: errors.invalidIdempotencyKeyError,
  });
  add("409", {
    description: "Or the first request with the same Idempotency-Key is still running (`idempotency_key_in_use`, with `Retry-After`).",
    body: errors.idempotencyKeyInUseError,
    headers: ["Retry-After"],
  });
  add("422", {
    description: "The Idempotency-Key was used for a different request (`idempotency_key_reused`).",
    body: errors.idempotencyKeyReusedError,
  });
  return merged;
}

const rateLimited = (what: string): Answer => ({ description: what, body: errors.rateLimitedError, headers: ["Retry-After"] });

function operations(maxPhotoBytes: number): Operation[] {
  return [
    {
      method: "post",
      path: "/api/sessions",
      operationId: "createSession",
      idempotent: true,
      summary: "Open a session; the answer carries its token (shown once) and the interviewer's first question.",
      tag: "sessions",
      auth: false,
      body: { schema: createSessionBody, required: false },
      responses: {
        "201": { description: "The new session.", body: responses.createdSessionBody },
        ...notJsonRefusals(true),
        "429": rateLimited("Too many new sessions from this address."),
        ...failures,
      },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}",
      operationId: "getSession",
      summary: "The whole session view: profile, messages, photo and pictures with short-lived URLs.",
      tag: "sessions",
      auth: true,
      responses: {
        "200": { description: "The session view.", body: responses.sessionViewBody },
        ...notJsonRefusals(false),
        ...tokenRefusals,
        ...failures,
      },
    },
    {
      method: "delete",
      path: "/api/sessions/{sessionId}",
      operationId: "deleteSession",
      summary: "Erase everything of the session: Redis, S3 objects and the archived result.",
      tag: "sessions",
      auth: true,
      responses: { "204": { description: "Erased." }, ...notJsonRefusals(false), ...tokenRefusals, ...failures },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/messages",
      operationId: "postMessage",
      idempotent: true,
      summary: "Send one user message; the interviewer answers and fills the profile.",
      tag: "interview",
      auth: true,
      body: { schema: postMessageBody, required: true },
      responses: {
        "200": { description: "The reply and the profile so far.", body: responses.messageReplyBody },
        ...notJsonRefusals(true),
        ...tokenRefusals,
        "409": {
          description:
            "The session is completed, took its last message, or is being changed by another request (`session_busy`, with `Retry-After`).",
          body: [errors.sessionCompletedError, errors.messageLimitError, errors.sessionBusyError],
          headers: ["Retry-After"],
        },
        "429": rateLimited("Too many messages for this session."),
        ...failures,
      },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/photos/user",
      operationId: "requestPhotoUpload",
      idempotent: true,
      summary: "A presigned POST form for the user's photo (type and exact size pinned); the browser posts it to S3.",
      tag: "pictures",
      auth: true,
      body: { schema: photoUploadBody(maxPhotoBytes), required: true },
      responses: {
        "201": { description: "The upload form and the pending photo.", body: responses.photoUploadGrantBody },
        ...notJsonRefusals(true),
        ...tokenRefusals,
        "409": { description: "The session is completed.", body: errors.sessionCompletedError },
        ...failures,
      },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}/photos/{name}",
      operationId: "getPhoto",
      summary: "A short-lived URL of the user photo or a generated picture.",
      tag: "pictures",
      auth: true,
      responses: {
        "200": { description: "The URL, its expiry and content type.", body: responses.pictureLinkBody },
        ...notJsonRefusals(false),
        ...tokenRefusals,
        "404": {
          description:
            "Unknown session or wrong token (`session_not_found`), no such picture (`not_found`), " +
            "or the picture is not ready (`picture_not_ready`).",
          body: [errors.sessionNotFoundError, errors.pictureNotFoundError],
        },
        ...failures,
      },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/images",
      operationId: "requestImage",
      idempotent: true,
      summary: "Generate the partner or child picture, asynchronously.",
      tag: "pictures",
      auth: true,
      body: { schema: requestImageBody, required: true },
      responses: {
        "200": { description: "The same picture is already made from the same inputs.", body: responses.readyImageResponseBody },
        "202": { description: "A job is under way (new, or the one already running).", body: responses.imageJobResponseBody },
        ...notJsonRefusals(true),
        ...tokenRefusals,
        "409": {
          description:
            "The picture's inputs are missing (`precondition_failed`), the session is completed, " +
            "or another request changed it (`session_busy`, with `Retry-After`).",
          body: [errors.preconditionFailedError, errors.sessionCompletedError, errors.sessionBusyError],
          headers: ["Retry-After"],
        },
        "429": rateLimited("The session's daily generations are spent."),
        ...failures,
      },
    },
    {
      method: "post",
      path: "/api/sessions/{sessionId}/complete",
      operationId: "completeSession",
      idempotent: true,
      summary: "Finish the session and archive its result (the same answer on repeat).",
      tag: "results",
      auth: true,
      responses: {
        "200": { description: "The completed result.", body: responses.completedSessionBody },
        ...notJsonRefusals(false),
        ...tokenRefusals,
        "409": {
          description: "The profile is not complete, a picture is still being generated, or a concurrent change won.",
          body: [errors.profileIncompleteError, errors.imagesPendingError, errors.sessionBusyError],
        },
        ...failures,
      },
    },
    {
      method: "get",
      path: "/api/sessions/{sessionId}/result",
      operationId: "getResult",
      summary: "The archived result, also after the live session expired.",
      tag: "results",
      auth: true,
      responses: {
        "200": { description: "The archived result.", body: responses.archivedResultBody },
        ...notJsonRefusals(false),
        ...tokenRefusals,
        ...failures,
      },
    },
    {
      method: "get",
      path: "/api/health",
      operationId: "health",
      summary: "Readiness of Redis, S3 and DynamoDB.",
      tag: "service",
      auth: false,
      responses: {
        "200": { description: "Every dependency answers.", body: responses.healthReportBody },
        ...notJsonRefusals(false),
        "500": internalFailure,
        "503": {
          description: "A dependency does not answer (the report), or the function's own secrets could not be read.",
          body: [responses.healthReportBody, errors.dependencyUnavailableError],
          headers: ["Retry-After"],
        },
      },
    },
    {
      method: "get",
      path: "/api/openapi.json",
      operationId: "openapi",
      summary: "This document.",
      tag: "service",
      auth: false,
      responses: {
        "200": { description: "The OpenAPI 3.1 document of this API.", body: responses.openApiDocumentBody },
        ...notJsonRefusals(false),
        ...failures,
      },
    },
  ];
}

/** Each registered schema as a component, with references between them; the dialect and ids dropped. */
function componentsOf(
  entries: Record<string, { schema: Schema; description: string }>,
  io: "input" | "output",
): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, { schema }] of Object.entries(entries)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { io, uri: (id) => `#/components/schemas/${id}` }) as {
    schemas: Record<string, JsonSchema>;
  };
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _dialect, $id: _id, ...schema }]) => [
      id,
      { description: entries[id]?.description, ...schema },
    ]),
  );
}

/** The OpenAPI 3.1 document of the HTTP API: every request and response body from the zod schema that is its type. */
export function buildOpenApiDocument(options: { maxPhotoBytes: number }): Record<string, unknown> {
  const list = operations(options.maxPhotoBytes);
  // Request bodies are described as a client sends them (before defaults and transforms apply).
  const requestComponents: Record<string, { schema: Schema; description: string }> = {};
  const requestNames = new Map<string, string>();
  for (const operation of list) {
    if (!operation.body) continue;
    const name = `${operation.operationId.charAt(0).toUpperCase()}${operation.operationId.slice(1)}Request`;
    requestComponents[name] = { schema: operation.body.schema, description: `The body of ${operation.operationId}.` };
    requestNames.set(operation.operationId, name);
  }
  const responseNames = new Map(Object.entries(RESPONSE_COMPONENTS).map(([name, { schema }]) => [schema, name]));
  const ref = (schema: Schema): JsonSchema => {
    const name = responseNames.get(schema);
    if (!name) throw new Error("A response body without a component");
    return { $ref: `#/components/schemas/${name}` };
  };
  const contentOf = (body: Schema | readonly Schema[]): JsonSchema => ({
    "application/json": { schema: Array.isArray(body) ? { anyOf: body.map(ref) } : ref(body as Schema) },
  });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of list) {
    const parameters = [
      ...(operation.path.includes("{sessionId}") ? [{ $ref: "#/components/parameters/SessionId" }] : []),
      ...(operation.path.includes("{name}") ? [{ $ref: "#/components/parameters/PictureName" }] : []),
      ...(operation.idempotent ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
    ];
    const responseList = operation.idempotent ? withIdempotencyRefusals(operation.responses) : operation.responses;
    const answers = Object.fromEntries(
      Object.entries(responseList).map(([status, answer]) => [
        status,
        {
          description: answer.description,
          ...(answer.headers
            ? { headers: Object.fromEntries(answer.headers.map((name) => [name, { $ref: `#/components/headers/${headerId(name)}` }])) }
            : {}),
          ...(answer.body ? { content: contentOf(answer.body) } : {}),
        },
      ]),
    );
    const requestName = requestNames.get(operation.operationId);
    const item = paths[operation.path] ?? {};
    paths[operation.path] = item;
    item[operation.method] = {
      operationId: operation.operationId,
      summary: operation.summary,
      tags: [operation.tag],
      security: operation.auth ? [{ sessionToken: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(operation.body && requestName
        ? {
            requestBody: {
              required: operation.body.required,
              content: { "application/json": { schema: { $ref: `#/components/schemas/${requestName}` } } },
            },
          }
        : {}),
      responses: answers,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Hera API",
      version: "1.0.0",
      description:
        "The backend of the future-family chat app. Every body is JSON; unknown body fields are refused (400). Errors are " +
        "`{error: {code, message, details?}, requestId}`; programs read `error.code`. " +
        "docs/api.md in the repository tells the whole contract.",
    },
    servers: [
      { url: "http://localhost:3000", description: "The local stack (`npm run dev`)." },
      {
        url: "https://{apiId}.execute-api.{region}.amazonaws.com",
        description:
          "A deployed stage: the HTTP API that `sls deploy --stage <stage>` prints (the routes start with /api; no stage prefix).",
        variables: {
          apiId: { default: "abcdef1234", description: "The HTTP API's id (`npx sls info --stage <stage>`)." },
          region: { default: "ap-northeast-1", description: "The stage's AWS region." },
        },
      },
    ],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: { ...componentsOf(requestComponents, "input"), ...componentsOf(RESPONSE_COMPONENTS, "output") },
      parameters: {
        SessionId: {
          name: "sessionId",
          in: "path",
          required: true,
          description: "The `sessionId` returned by createSession.",
          schema: { type: "string", pattern: "^[A-Za-z0-9_-]{22}$" },
        },
        PictureName: {
          name: "name",
          in: "path",
          required: true,
          description: "Which picture.",
          schema: withoutDialect(z.toJSONSchema(pictureName) as JsonSchema),
        },
        IdempotencyKey: {
          name: "Idempotency-Key",
          in: "header",
          required: false,
          description:
            "A new unique key (a UUID) per request, the same on its retries: a repeat within 24 hours gets the first " +
            'answer (status and body) without running again. Also accepted as a Structured Fields string (`"…"`).',
          schema: { type: "string", minLength: 16, maxLength: 255, pattern: "^[\\x21-\\x7e]+$" },
        },
      },
      headers: Object.fromEntries(Object.entries(HEADERS).map(([name, header]) => [headerId(name), header])),
      securitySchemes: {
        sessionToken: { type: "http", scheme: "bearer", description: "The sessionToken returned by POST /api/sessions." },
      },
    },
  };
}

function headerId(name: string): string {
  return name.replace(/-/g, "");
}

function withoutDialect({ $schema: _dialect, ...schema }: JsonSchema): JsonSchema {
  return schema;
}
