import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

// Checks an HTTP answer against the OpenAPI document: the route must be documented, its status documented for it,
// and its body valid against that status's schema (JSON Schema 2020-12, ajv). The end-to-end helper runs it on every
// answer, so the contract and the code cannot drift apart unnoticed.

type JsonObject = Record<string, unknown>;

interface ResponseObject {
  content?: { "application/json"?: { schema: JsonObject } };
}

/** An answer that the document does not describe. */
export class ContractViolationError extends Error {
  override readonly name = "ContractViolationError";
}

/** What is checked: the request's method and URL path, and the answer's status, Content-Type and raw body. */
export interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: string;
}

const SCHEMAS_BASE = "https://hera.invalid/openapi.json";
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;

/** A checker for one OpenAPI document; `check` throws ContractViolationError for an answer it does not describe. */
export function contractChecker(document: JsonObject): { check(exchange: Exchange): void } {
  // Component references point into one schema holding every component, so ajv resolves them as the document does.
  const rewritten = JSON.parse(JSON.stringify(document).replaceAll('"#/components/schemas/', `"${SCHEMAS_BASE}#/$defs/`)) as JsonObject;
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true, strictRequired: false }));
  ajv.addKeyword("example");
  const components = (rewritten.components as { schemas: JsonObject }).schemas;
  ajv.addSchema({ $id: SCHEMAS_BASE, $defs: components });

  const paths = rewritten.paths as Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
  // Literal paths first, so /photos/user is not taken for /photos/{name}.
  const routes = Object.keys(paths)
    .map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, "[^/]+")}$`),
      literal: !template.includes("{"),
    }))
    .sort((a, b) => Number(b.literal) - Number(a.literal));
  const validators = new Map<string, ValidateFunction>();

  return {
    check({ method, path, status, contentType, body }) {
      const verb = method.toLowerCase();
      const route = routes.find(({ template, pattern }) => pattern.test(path) && paths[template]?.[verb]);
      if (!route) throw new ContractViolationError(`${method} ${path}: no such route in openapi.json`);
      const response = paths[route.template]![verb]!.responses[String(status)];
      const where = `${method} ${route.template} → ${status}`;
      if (!response)
        throw new ContractViolationError(`${where}: this status is not documented for the route (body: ${body.slice(0, 300)})`);
      const schema = response.content?.["application/json"]?.schema;
      if (!schema) {
        if (body !== "") throw new ContractViolationError(`${where}: documented without a body, but answered ${body.slice(0, 300)}`);
        return;
      }
      if (!/^application\/json\b/.test(contentType ?? ""))
        throw new ContractViolationError(`${where}: Content-Type ${contentType}, not JSON`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        throw new ContractViolationError(`${where}: the body is not JSON: ${body.slice(0, 300)}`);
      }
      const key = `${verb} ${route.template} ${status}`;
      let validate = validators.get(key);
      if (!validate) {
        validate = ajv.compile(schema);
        validators.set(key, validate);
      }
      if (!validate(parsed)) {
        const problems = (validate.errors ?? []).map((error) => `${error.instancePath || "/"} ${error.message ?? ""}`).join("; ");
        throw new ContractViolationError(`${where}: the body does not match openapi.json: ${problems} (body: ${body.slice(0, 500)})`);
      }
    },
  };
}

let committed: ReturnType<typeof contractChecker> | undefined;

/** The checker of the committed contract, openapi.json (a unit test keeps it equal to what the code builds). */
export function committedContract(): ReturnType<typeof contractChecker> {
  committed ??= contractChecker(JSON.parse(readFileSync(resolve(import.meta.dirname, "..", "..", "openapi.json"), "utf8")) as JsonObject);
  return committed;
}
