import { httpHandler } from "../lib/http/handler.ts";
import { openapiRoute } from "../lib/schemas/routes.ts";
import { buildOpenApiDocument } from "../lib/openapi/document.ts";
import { getConfig } from "../lib/wiring/config.ts";

// Built once per container from the same zod schemas that validate the requests, so it cannot drift from them.
const document = buildOpenApiDocument({ maxPhotoBytes: getConfig().MAX_PHOTO_BYTES });

export const handler = httpHandler(openapiRoute, async () => ({
  status: 200,
  body: document,
  headers: { "Cache-Control": "public, max-age=300" },
}));
