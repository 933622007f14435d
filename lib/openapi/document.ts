import { ERROR_CATALOGUE, ERROR_CODE, type ErrorCode } from "../errors.ts";
import * as errors from "../schemas/errors.ts";
import { imageKind } from "../schemas/images.ts";
import { pictureName } from "../schemas/photos.ts";
import * as responses from "../schemas/responses.ts";
import { ROUTES, type Route, type RouteSettings, routeErrorCodes } from "../schemas/routes.ts";
import { locale } from "../schemas/sessions.ts";
import * as z from "../schemas/zod.ts";

/** A JSON Schema object as OpenAPI 3.1 embeds it. */
type JsonSchema = Record<string, unknown>;

type Schema = z.core.$ZodType;

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
};

/** Each error schema of lib/schemas/errors.ts as a component, named after it, described by the catalogue's codes. */
function errorComponents(): { components: Record<string, { schema: Schema; description: string }>; byCode: Map<ErrorCode, string> } {
  const components: Record<string, { schema: Schema; description: string }> = {};
  const byCode = new Map<ErrorCode, string>();
  // Sorted: a module namespace lists its exports in an order that differs between loaders (tsx, vitest).
  for (const [exported, schema] of Object.entries(errors).sort(([a], [b]) => a.localeCompare(b))) {
    const codes = errorCodesOf(schema);
    if (codes.length === 0) continue;
    const name = `${exported.charAt(0).toUpperCase()}${exported.slice(1)}`;
    components[name] = { schema, description: codes.map((code) => `\`${code}\`: ${ERROR_CATALOGUE[code].when}.`).join(" ") };
    for (const code of codes) byCode.set(code, name);
  }
  return { components, byCode };
}

/** The codes an error body schema allows (`error.code`'s enum), or none for a schema that is not an error body. */
function errorCodesOf(schema: Schema): ErrorCode[] {
  const json = z.toJSONSchema(schema, { io: "output" }) as { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
  const codes = json.properties?.error?.properties?.code?.enum ?? [];
  return codes.filter((code): code is ErrorCode => code in ERROR_CATALOGUE);
}

/** The JSON Schema of a route's request body (made from the settings where it depends on them). */
function requestSchema(route: Route, settings: RouteSettings): Schema | undefined {
  const schema = route.body?.schema;
  return typeof schema === "function" ? schema(settings) : schema;
}

/** A route's answers by status: its successes, its reports, and its error codes grouped by their status. */
function answersOf(
  route: Route,
  byCode: Map<ErrorCode, string>,
): Record<string, { description: string; bodies: string[]; headers: string[] }> {
  const answers: Record<string, { description: string; bodies: string[]; headers: string[] }> = {};
  const add = (status: string, description: string, body: string | undefined, headers: string[] = []) => {
    const answer = answers[status] ?? { description: "", bodies: [], headers: [] };
    answers[status] = answer;
    answer.description = answer.description ? `${answer.description} ${description}` : description;
    if (body && !answer.bodies.includes(body)) answer.bodies.push(body);
    for (const header of headers) if (!answer.headers.includes(header)) answer.headers.push(header);
  };
  for (const [status, answer] of Object.entries(route.success)) add(status, answer.description, answer.body);
  for (const [status, answer] of Object.entries(route.reports ?? {})) add(status, answer.description, answer.body);
  for (const code of routeErrorCodes(route)) {
    const entry: { status: number; when: string; retryAfterSeconds?: number } = ERROR_CATALOGUE[code];
    const component = byCode.get(code);
    if (!component) throw new Error(`The error code ${code} has no schema in lib/schemas/errors.ts`);
    const when = code === ERROR_CODE.rate_limited && route.limit ? route.limit : `${entry.when}.`;
    const headers = [
      ...(entry.retryAfterSeconds !== undefined || entry.status === 429 ? ["Retry-After"] : []),
      ...(code === ERROR_CODE.missing_token ? ["WWW-Authenticate"] : []),
    ];
    add(String(entry.status), `\`${code}\`: ${when}`, component, headers);
  }
  return answers;
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
export function buildOpenApiDocument(options: RouteSettings): Record<string, unknown> {
  // Request bodies are described as a client sends them (before defaults and transforms apply).
  const requestComponents: Record<string, { schema: Schema; description: string }> = {};
  const requestNames = new Map<string, string>();
  for (const route of ROUTES) {
    const schema = requestSchema(route, options);
    if (!schema) continue;
    const name = `${route.functionName.charAt(0).toUpperCase()}${route.functionName.slice(1)}Request`;
    requestComponents[name] = { schema, description: `The body of ${route.functionName}.` };
    requestNames.set(route.functionName, name);
  }
  const { components: errorBodies, byCode } = errorComponents();
  const responseComponents = { ...RESPONSE_COMPONENTS, ...errorBodies };
  const ref = (name: string): JsonSchema => {
    if (!(name in responseComponents)) throw new Error(`A response body without a component: ${name}`);
    return { $ref: `#/components/schemas/${name}` };
  };
  const contentOf = (bodies: string[]): JsonSchema => ({
    "application/json": { schema: bodies.length === 1 ? ref(bodies[0] as string) : { anyOf: bodies.map(ref) } },
  });

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const parameters = [
      ...(route.path.includes("{sessionId}") ? [{ $ref: "#/components/parameters/SessionId" }] : []),
      ...(route.path.includes("{name}") ? [{ $ref: "#/components/parameters/PictureName" }] : []),
      ...(route.idempotent ? [{ $ref: "#/components/parameters/IdempotencyKey" }] : []),
    ];
    const answers = Object.fromEntries(
      Object.entries(answersOf(route, byCode))
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([status, answer]) => [
          status,
          {
            description: answer.description,
            ...(answer.headers.length > 0
              ? { headers: Object.fromEntries(answer.headers.map((name) => [name, { $ref: `#/components/headers/${headerId(name)}` }])) }
              : {}),
            ...(answer.bodies.length > 0 ? { content: contentOf(answer.bodies) } : {}),
          },
        ]),
    );
    const requestName = requestNames.get(route.functionName);
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method] = {
      operationId: route.functionName,
      summary: route.summary,
      tags: [route.tag],
      security: route.auth ? [{ sessionToken: [] }] : [],
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.body && requestName
        ? {
            requestBody: {
              required: route.body.required,
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
      schemas: { ...componentsOf(requestComponents, "input"), ...componentsOf(responseComponents, "output") },
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
