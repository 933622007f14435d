import { describe, expect, it } from "vitest";
import { PHOTO_REJECTIONS } from "../../lib/schemas/photos.ts";
import { photoRejection } from "../../web/src/i18n.ts";

// The reasons the photo check gives, from the list the API's schema is made of, so a new one cannot go unsaid.
const REASONS: string[] = [...PHOTO_REJECTIONS];

describe("the demo page's words for a rejected photo", () => {
  it("finds the reasons of lib/photos", () => {
    expect(REASONS).toEqual(
      expect.arrayContaining(["empty", "too_large", "size_mismatch", "type_mismatch", "too_many_pixels", "not_decodable", "not_checked"]),
    );
  });

  it.each(REASONS)("says %s in words, in Japanese and English, never as its code", (reason) => {
    // Act
    const ja = photoRejection("ja", reason);
    const en = photoRejection("en", reason);

    // Assess
    for (const text of [ja, en]) {
      // No code (they are snake_case; "empty" is a code and a word, so the check is for the code's spelling).
      expect(text).not.toMatch(/[a-z]+_[a-z]+/);
      expect(text).not.toMatch(new RegExp(`[(（]${reason}[)）]`));
      expect(text).not.toBe(photoRejection(text === ja ? "ja" : "en", "unknown"));
    }
    expect(ja).toMatch(/^この写真は使えません：/);
    expect(en).toMatch(/^This photo can't be used: /);
  });

  it("gives every reason its own words", () => {
    for (const locale of ["ja", "en"] as const)
      expect(new Set(REASONS.map((reason) => photoRejection(locale, reason))).size).toBe(REASONS.length);
  });

  it("says an unknown reason as 'could not be checked' rather than a code", () => {
    expect(photoRejection("en", "some_new_code")).toBe("This photo can't be used: it could not be checked. Please choose another one.");
    expect(photoRejection("ja", undefined)).toBe("この写真は使えません：確認できませんでした。別の写真を選んでください。");
  });
});
