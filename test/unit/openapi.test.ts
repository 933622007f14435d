import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { withErrorTable } from "../../lib/openapi/error-table.ts";
import { httpApiRoutes } from "../helpers/serverless-config.ts";

type Json = Record<string, unknown>;
interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: { "application/json": { schema: Json } };
}
interface OperationObject {
  operationId: string;
  parameters?: Array<{ $ref: string }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: { $ref: string } } } };
  security: unknown[];
  responses: Record<string, ResponseObject>;
}
type Paths = Record<string, Record<string, OperationObject>>;

const document = buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES });
const paths = document.paths as Paths;
const components = document.components as { schemas: Record<string, Json>; parameters: Record<string, { name: string; in: string }> };
const operations = Object.entries(paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
);
const schemaOf = (ref: string) => components.schemas[ref.replace("#/components/schemas/", "")];
const refsOf = (response: ResponseObject | undefined): string[] => {
  const schema = response?.content?.["application/json"].schema;
  if (!schema) return [];
  const refs = (schema.anyOf as Array<{ $ref: string }> | undefined) ?? [schema as { $ref: string }];
  return refs.map(({ $ref }) => $ref.replace("#/components/schemas/", ""));
};
const operation = (method: string, path: string) => {
  const found = paths[path]?.[method];
  if (!found) throw new Error(`no ${method} ${path} in the document`);
  return found;
};

describe("the OpenAPI document", () => {
  it("describes exactly the httpApi routes of serverless.yml, each under its function's name", () => {
    // The `$default` route (path "*") answers what the contract does not have: it is no operation of it.
    const routes = httpApiRoutes().filter((route) => route.path !== "*");
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(
      routes.map(({ method, path }) => `${method} ${path}`).sort(),
    );
    for (const route of routes) expect(paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.functionName);
  });

  it("declares every path parameter, the bearer token on every session route and `security: []` on the public ones", () => {
    for (const { path, operation } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).map(({ $ref }) => components.parameters[$ref.replace("#/components/parameters/", "")]!);
      expect(
        declared.filter((parameter) => parameter.in === "path").map((parameter) => parameter.name),
        path,
      ).toEqual(inPath);
      expect(operation.security, path).toEqual(path.startsWith("/api/sessions/") ? [{ sessionToken: [] }] : []);
    }
  });

  it("names a local and a templated AWS server", () => {
    expect(document.servers).toEqual([
      expect.objectContaining({ url: "http://localhost:3000" }),
      expect.objectContaining({
        url: "https://{apiId}.execute-api.{region}.amazonaws.com",
        variables: { apiId: expect.any(Object), region: expect.any(Object) },
      }),
    ]);
  });

  it("takes its request bodies from the zod schemas that validate them", () => {
    const body = (path: string) => {
      const requestBody = paths[path]?.post?.requestBody;
      return requestBody && { required: requestBody.required, schema: schemaOf(requestBody.content["application/json"].schema.$ref) };
    };
    expect(body("/api/sessions/{sessionId}/messages")).toMatchObject({
      required: true,
      schema: { type: "object", required: ["text"], additionalProperties: false, properties: { text: { maxLength: 2000 } } },
    });
    expect(body("/api/sessions/{sessionId}/photos/user")?.schema).toMatchObject({
      properties: {
        contentType: { enum: ["image/jpeg", "image/png", "image/webp"] },
        contentLength: { minimum: 1, maximum: DEFAULT_MAX_PHOTO_BYTES },
      },
    });
    expect(body("/api/sessions/{sessionId}/images")?.schema).toMatchObject({ properties: { kind: { enum: ["partner", "child"] } } });
    expect(body("/api/sessions")).toMatchObject({ required: false, schema: { properties: { locale: { enum: ["ja", "en"] } } } });
  });

  it("gives every answer but 204 a body schema from components, and success bodies their own shape", () => {
    for (const { method, path, operation } of operations) {
      for (const [status, response] of Object.entries(operation.responses)) {
        const where = `${method} ${path} ${status}`;
        if (status === "204") expect(response.content, where).toBeUndefined();
        else expect(refsOf(response).length, where).toBeGreaterThan(0);
        for (const name of refsOf(response)) expect(components.schemas[name], `${where}: ${name}`).toBeDefined();
      }
    }
    expect(refsOf(operation("get", "/api/sessions/{sessionId}").responses["200"])).toEqual(["SessionView"]);
    expect(refsOf(operation("post", "/api/sessions").responses["201"])).toEqual(["CreatedSession"]);
    expect(refsOf(operation("post", "/api/sessions/{sessionId}/images").responses["202"])).toEqual(["ImageJobResponse"]);
    expect(refsOf(operation("post", "/api/sessions/{sessionId}/images").responses["200"])).toEqual(["ReadyImageResponse"]);
    expect(schemaOf("#/components/schemas/SessionView")).toMatchObject({
      additionalProperties: false,
      required: expect.arrayContaining(["sessionId", "profile", "missingFields", "messages", "photo", "images"]),
      properties: { photo: { anyOf: [{ $ref: "#/components/schemas/PhotoView" }, { type: "null" }] } },
    });
  });

  it("lists the statuses each route answers with, and the error codes of each", () => {
    const statuses = (method: string, path: string) => Object.keys(operation(method, path).responses).sort();
    const everywhere = ["400", "413", "415", "500", "503"];
    const owner = [...everywhere, "401", "404"];
    // A state-changing POST takes an Idempotency-Key: 409 while its first request runs, 422 for another request's key.
    const keyed = ["409", "422"];
    expect(statuses("post", "/api/sessions")).toEqual(["201", "429", ...keyed, ...everywhere].sort());
    expect(statuses("get", "/api/sessions/{sessionId}")).toEqual(["200", ...owner].sort());
    expect(statuses("delete", "/api/sessions/{sessionId}")).toEqual(["204", ...owner].sort());
    expect(statuses("post", "/api/sessions/{sessionId}/messages")).toEqual(["200", "429", ...keyed, ...owner].sort());
    expect(statuses("post", "/api/sessions/{sessionId}/photos/user")).toEqual(["201", ...keyed, ...owner].sort());
    expect(statuses("post", "/api/sessions/{sessionId}/images")).toEqual(["200", "202", "429", ...keyed, ...owner].sort());
    expect(statuses("post", "/api/sessions/{sessionId}/complete")).toEqual(["200", ...keyed, ...owner].sort());
    expect(statuses("get", "/api/health")).toEqual(["200", ...everywhere].sort());

    const codes = (method: string, path: string, status: string) =>
      refsOf(operation(method, path).responses[status]).flatMap((name) => {
        const properties = schemaOf(`#/components/schemas/${name}`)?.properties as
          | { error?: { properties: { code: { enum: string[] } } } }
          | undefined;
        const error = properties?.error;
        return error?.properties.code.enum ?? [];
      });
    expect(codes("post", "/api/sessions/{sessionId}/messages", "409").sort()).toEqual([
      "idempotency_key_in_use",
      "message_limit_reached",
      "session_busy",
      "session_completed",
    ]);
    expect(codes("post", "/api/sessions/{sessionId}/complete", "409").sort()).toEqual([
      "idempotency_key_in_use",
      "images_pending",
      "profile_incomplete",
      "session_busy",
    ]);
    expect(codes("get", "/api/sessions/{sessionId}/photos/{name}", "404").sort()).toEqual([
      "not_found",
      "picture_not_ready",
      "session_not_found",
    ]);
    expect(codes("post", "/api/sessions", "400").sort()).toEqual(["invalid_idempotency_key", "invalid_request", "malformed_json"]);
    expect(codes("post", "/api/sessions", "422")).toEqual(["idempotency_key_reused"]);
    expect(operation("post", "/api/sessions").parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
    expect(codes("get", "/api/sessions/{sessionId}", "400")).toEqual(["invalid_request"]);
    expect(operation("post", "/api/sessions").responses["429"]?.headers).toEqual({
      "Retry-After": { $ref: "#/components/headers/RetryAfter" },
    });
  });

  it("uses every component it defines", () => {
    const text = JSON.stringify({ ...document, components: { ...components, schemas: Object.values(components.schemas) } });
    for (const name of Object.keys(components.schemas)) expect(text, name).toContain(`"#/components/schemas/${name}"`);
  });

  it("is what openapi.json holds (run `npm run openapi` after changing a schema or a route)", () => {
    expect(JSON.parse(readFileSync("openapi.json", "utf8"))).toEqual(document);
  });

  it("and docs/api.md's error table are what the error catalogue and the route table say (`npm run openapi` writes both)", () => {
    const doc = readFileSync("docs/api.md", "utf8");
    expect(withErrorTable(doc)).toBe(doc);
  });
});
