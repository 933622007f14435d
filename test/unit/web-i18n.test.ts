import { describe, expect, it } from "vitest";
import { PHOTO_REJECTIONS } from "../../lib/schemas/photos.ts";
import { ApiError } from "../../web/src/api.ts";
import { errorMessage, missingFieldsList, needsList, photoRejection } from "../../web/src/i18n.ts";

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

describe("lists in the page's words", () => {
  it("lists what a picture needs as each language lists, the partner's parts named once", () => {
    expect(needsList("en", ["partner.name", "partner.appearance", "photo", "children"])).toBe(
      "the partner's name and appearance, your photo, and the children",
    );
    expect(needsList("ja", ["partner.name", "partner.appearance", "photo", "children"])).toBe(
      "パートナーの名前、見た目、あなたの写真、子どもの情報",
    );
  });

  it("lists the profile's missing fields the same way in a 409, without mixing capitals into an English sentence", () => {
    const error = new ApiError(409, "profile_incomplete", "", { missingFields: ["age", "partner", "children"] });
    expect(errorMessage("en", error)).toBe(
      "Your profile isn't complete yet. Please keep answering the interview (still missing: age, partner, and children).",
    );
    expect(errorMessage("ja", error)).toBe(
      "プロフィールがまだ完成していません。インタビューを続けてください（残り：年齢、パートナー、子ども）。",
    );
    expect(missingFieldsList("en", ["partner", "children"])).toBe("partner and children");
  });
});
