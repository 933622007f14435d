import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_PHOTO_BYTES } from "../../lib/config.ts";
import { buildOpenApiDocument } from "../../lib/openapi/document.ts";
import { generateClientTypes } from "../../scripts/client-types.ts";

describe("the generated client types", () => {
  it("are what openapi-typescript makes of the current document (run `npm run openapi` after changing it)", async () => {
    const fresh = await generateClientTypes(buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }));
    expect(readFileSync("client/schema.d.ts", "utf8")).toBe(fresh);
  }, 30_000);

  it("follow the document, so a changed schema makes the committed types stale", async () => {
    const document = buildOpenApiDocument({ maxPhotoBytes: DEFAULT_MAX_PHOTO_BYTES }) as {
      components: { schemas: Record<string, { properties: Record<string, unknown> }> };
    };
    document.components.schemas.PictureLink!.properties.width = { type: "integer" };
    const changed = await generateClientTypes(document);
    expect(changed).toContain("width?: number;");
    expect(readFileSync("client/schema.d.ts", "utf8")).not.toBe(changed);
  }, 30_000);
});
