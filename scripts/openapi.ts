import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { DEFAULT_MAX_PHOTO_BYTES } from "../lib/config.ts";
import { buildOpenApiDocument } from "../lib/openapi/document.ts";

// `npm run openapi [file]`: writes the OpenAPI document (default openapi.json) from the zod schemas.
const target = resolve(process.argv[2] ?? "openapi.json");
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }), null, 2)}\n`);
console.log(`wrote ${target}`);
