import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECKED_PHOTO_MAX_SIDE, MAX_PHOTO_PIXELS } from "../../lib/photos/inspect.ts";
import { PHOTO_CHECK_TIMEOUT_MS } from "../../lib/photos/photos.ts";
import { PHOTO_REJECTIONS } from "../../lib/schemas/photos.ts";
import { CHECKED_PHOTO_TYPE } from "../../lib/storage/objects.ts";

// What the docs promise about a photo, held against the constants the code uses.
const api = readFileSync("docs/api.md", "utf8");
const reliability = readFileSync("docs/reliability.md", "utf8");
const thousands = (value: number) => value.toLocaleString("en-US");

describe("the photo's limits and reasons in the docs", () => {
  it.each([...PHOTO_REJECTIONS])("docs/api.md explains the reason %s in its table", (reason) => {
    expect(api).toMatch(new RegExp(`\\| \`${reason}\` \\| \\w`));
  });

  it("states the pixel limit, the kept copy's size and type, and the check's timeout as the code has them", () => {
    expect(api).toContain(`${thousands(MAX_PHOTO_PIXELS)} pixels`);
    expect(api).toContain(`${CHECKED_PHOTO_MAX_SIDE} × ${CHECKED_PHOTO_MAX_SIDE}`);
    expect(CHECKED_PHOTO_TYPE).toBe("image/jpeg");
    expect(api).toContain('`contentType: "image/jpeg"`');
    expect(PHOTO_CHECK_TIMEOUT_MS).toBe(2 * 60_000);
    expect(api).toContain("within 2 minutes of the upload");
    expect(reliability).toContain("2 minutes after it landed");
    expect(reliability).toContain(`at most ${CHECKED_PHOTO_MAX_SIDE} × ${CHECKED_PHOTO_MAX_SIDE}`);
  });
});
