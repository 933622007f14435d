import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DEFAULT_MAX_PHOTO_BYTES } from "../lib/config.ts";
import { buildOpenApiDocument } from "../lib/openapi/document.ts";
import { withErrorTable } from "../lib/openapi/error-table.ts";
import { generateClientTypes } from "./client-types.ts";

// `npm run openapi`: writes the OpenAPI document (openapi.json) from the zod schemas and the route table, the typed
// client's types (client/schema.d.ts) from that document, and docs/api.md's error table from the error catalogue.
// All are committed; tests fail when one is stale.
const document = buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES });
const targets = { document: resolve("openapi.json"), types: resolve("client", "schema.d.ts") };
writeFileSync(targets.document, `${JSON.stringify(document, null, 2)}\n`);
console.log(`wrote ${targets.document}`);
mkdirSync(dirname(targets.types), { recursive: true });
writeFileSync(targets.types, await generateClientTypes(document));
console.log(`wrote ${targets.types}`);
const apiDoc = resolve("docs", "api.md");
writeFileSync(apiDoc, withErrorTable(readFileSync(apiDoc, "utf8")));
console.log(`wrote the error table of ${apiDoc}`);
