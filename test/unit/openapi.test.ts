import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { httpApiRoutes } from "../helpers/serverless-config.ts";

interface OperationObject {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required: boolean }>;
  requestBody?: { required: boolean; content: { "application/json": { schema: Record<string, unknown> } } };
  security?: unknown[];
}
type Paths = Record<string, Record<string, OperationObject>>;

const document = buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES });
const paths = document.paths as Paths;
const operations = Object.entries(paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
);

describe("the OpenAPI document", () => {
  it("describes exactly the httpApi routes of serverless.yml, each under its function's name", () => {
    const routes = httpApiRoutes();
    expect(operations.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(routes.map(({ method, path }) => `${method} ${path}`).sort());
    for (const route of routes) expect(paths[route.path]?.[route.method.toLowerCase()]?.operationId).toBe(route.functionName);
  });

  it("declares every path parameter, and the bearer token on every session route", () => {
    for (const { path, operation } of operations) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      expect((operation.parameters ?? []).filter((parameter) => parameter.in === "path").map((parameter) => parameter.name), path).toEqual(inPath);
      expect(Boolean(operation.security), path).toBe(path.startsWith("/api/sessions/"));
    }
  });

  it("takes its request bodies from the zod schemas that validate them", () => {
    const body = (path: string) => paths[path]?.post?.requestBody;
    expect(body("/api/sessions/{sessionId}/messages")).toMatchObject({
      required: true,
      content: { "application/json": { schema: { type: "object", required: ["text"], additionalProperties: false, properties: { text: { maxLength: 2000 } } } } },
    });
    expect(body("/api/sessions/{sessionId}/photos/user")?.content["application/json"].schema).toMatchObject({
      properties: { contentType: { enum: ["image/jpeg", "image/png", "image/webp"] }, contentLength: { minimum: 1, maximum: DEFAULT_MAX_PHOTO_BYTES } },
    });
    expect(body("/api/sessions/{sessionId}/images")?.content["application/json"].schema).toMatchObject({ properties: { kind: { enum: ["partner", "child"] } } });
    expect(body("/api/sessions")).toMatchObject({ required: false, content: { "application/json": { schema: { properties: { locale: { enum: ["ja", "en"] } } } } } });
  });

  it("is what openapi.json holds (run `npm run openapi` after changing a schema or a route)", () => {
    expect(JSON.parse(readFileSync("openapi.json", "utf8"))).toEqual(document);
  });
});
