import { describe, expect, it } from "vitest";
import {
  PROFILE_FIELDS,
  extractionChanges,
  isProfileComplete,
  mergeProfile,
  missingFields,
  profileSchema,
  sanitizeExtracted,
  type Profile,
} from "../../../lib/interview/profile.ts";

const complete: Profile = {
  age: 32,
  gender: "female",
  relationshipStatus: "dating",
  location: "東京都",
  incomeRange: "500万円くらい",
  personality: { openness: 0.75, conscientiousness: 0.25 },
  partner: { name: "健太", temperament: "優しい", appearance: "背が高い" },
  children: [{ name: "さくら", desiredGender: "female" }],
};

describe("missingFields / isProfileComplete", () => {
  it("lists every field, in the stable order, for an empty profile", () => {
    expect(missingFields({})).toEqual([...PROFILE_FIELDS]);
    expect(PROFILE_FIELDS).toEqual([
      "age",
      "gender",
      "relationshipStatus",
      "location",
      "incomeRange",
      "personality",
      "partner",
      "children",
    ]);
    expect(isProfileComplete({})).toBe(false);
  });

  it("is empty for a complete profile", () => {
    expect(missingFields(complete)).toEqual([]);
    expect(isProfileComplete(complete)).toBe(true);
  });

  it("keeps the order whatever is filled", () => {
    expect(missingFields({ location: "Osaka", age: 40 })).toEqual([
      "gender",
      "relationshipStatus",
      "incomeRange",
      "personality",
      "partner",
      "children",
    ]);
  });

  it.each<[string, Profile, boolean]>([
    ["no traits", { personality: {} }, false],
    ["one trait", { personality: { openness: 0.5 } }, false],
    ["two traits", { personality: { openness: 0.5, neuroticism: 0 } }, true],
    ["five traits", { personality: { openness: 0, conscientiousness: 0, extraversion: 0, agreeableness: 0, neuroticism: 0 } }, true],
  ])("personality needs at least two traits (%s)", (_label, profile, done) => {
    expect(missingFields(profile).includes("personality")).toBe(!done);
  });

  it.each<[string, Profile, boolean]>([
    ["name only", { partner: { name: "Ken" } }, false],
    ["no appearance", { partner: { name: "Ken", temperament: "calm" } }, false],
    ["all three", { partner: { name: "Ken", temperament: "calm", appearance: "tall" } }, true],
  ])("partner needs name, temperament and appearance (%s)", (_label, profile, done) => {
    expect(missingFields(profile).includes("partner")).toBe(!done);
  });

  it.each<[string, Profile, boolean]>([
    ["empty list", { children: [] }, false],
    ["name without gender", { children: [{ name: "Sakura" }] }, false],
    ["one complete child", { children: [{ name: "Sakura" }, { name: "Taro", desiredGender: "male" }] }, true],
    ["either counts", { children: [{ name: "Hikari", desiredGender: "either" }] }, true],
  ])("children need one child with name and wished gender (%s)", (_label, profile, done) => {
    expect(missingFields(profile).includes("children")).toBe(!done);
  });
});

describe("profileSchema", () => {
  it("accepts a partial and a complete profile", () => {
    expect(profileSchema.safeParse({}).success).toBe(true);
    expect(profileSchema.safeParse(complete).success).toBe(true);
  });

  it.each<[string, unknown]>([
    ["unknown top-level key", { age: 30, nickname: "x" }],
    ["unknown partner key", { partner: { name: "Ken", height: 180 } }],
    ["age below 16", { age: 15 }],
    ["age above 120", { age: 121 }],
    ["fractional age", { age: 30.5 }],
    ["unknown gender", { gender: "robot" }],
    ["trait above 1", { personality: { openness: 1.5 } }],
    ["empty location", { location: "   " }],
    ["too long location", { location: "x".repeat(201) }],
    ["child without name", { children: [{ desiredGender: "male" }] }],
    ["unknown child gender", { children: [{ name: "A", desiredGender: "robot" }] }],
  ])("rejects %s", (_label, value) => {
    expect(profileSchema.safeParse(value).success).toBe(false);
  });
});

describe("mergeProfile", () => {
  it("replaces scalars and keeps the rest, without mutating inputs", () => {
    const before: Profile = { age: 30, gender: "male" };
    const extracted: Partial<Profile> = { age: 31, location: "Osaka" };
    const after = mergeProfile(before, extracted);
    expect(after).toEqual({ age: 31, gender: "male", location: "Osaka" });
    expect(before).toEqual({ age: 30, gender: "male" });
    expect(extracted).toEqual({ age: 31, location: "Osaka" });
  });

  it("merges personality per trait", () => {
    expect(mergeProfile({ personality: { openness: 0.5 } }, { personality: { neuroticism: 1 } })).toEqual({
      personality: { openness: 0.5, neuroticism: 1 },
    });
    expect(mergeProfile({ personality: { openness: 0.5 } }, { personality: { openness: 0 } })).toEqual({
      personality: { openness: 0 },
    });
  });

  it("merges partner per key", () => {
    expect(mergeProfile({ partner: { name: "Ken" } }, { partner: { temperament: "calm" } })).toEqual({
      partner: { name: "Ken", temperament: "calm" },
    });
    expect(mergeProfile({ partner: { name: "Ken", temperament: "calm" } }, { partner: { name: "Kenji" } })).toEqual({
      partner: { name: "Kenji", temperament: "calm" },
    });
  });

  it("appends a new child and merges a child with the same name", () => {
    const one = mergeProfile({}, { children: [{ name: "Sakura" }] });
    expect(one.children).toEqual([{ name: "Sakura" }]);
    const same = mergeProfile(one, { children: [{ name: " sakura ", desiredGender: "female" }] });
    expect(same.children).toEqual([{ name: "Sakura", desiredGender: "female" }]);
    const two = mergeProfile(same, { children: [{ name: "Taro", desiredGender: "male" }] });
    expect(two.children).toEqual([
      { name: "Sakura", desiredGender: "female" },
      { name: "Taro", desiredGender: "male" },
    ]);
  });

  it("matches children across full-width and case differences", () => {
    const merged = mergeProfile({ children: [{ name: "Sakura" }] }, { children: [{ name: "ＳＡＫＵＲＡ", desiredGender: "either" }] });
    expect(merged.children).toEqual([{ name: "Sakura", desiredGender: "either" }]);
  });

  it("stops appending children at the maximum", () => {
    const many = Array.from({ length: 10 }, (_, index) => ({ name: `child${index}` }));
    const merged = mergeProfile({ children: many }, { children: [{ name: "one more" }] });
    expect(merged.children).toHaveLength(10);
    expect(profileSchema.safeParse(merged).success).toBe(true);
  });

  it("ignores undefined values and builds keys in the stable order", () => {
    const merged = mergeProfile({ children: [{ name: "A", desiredGender: "male" }], age: 20 }, { age: undefined, gender: "other" });
    expect(merged).toEqual({ age: 20, gender: "other", children: [{ name: "A", desiredGender: "male" }] });
    expect(Object.keys(merged)).toEqual(["age", "gender", "children"]);
  });

  it("reaches a complete profile from pieces", () => {
    let profile: Profile = {};
    const pieces: Array<Partial<Profile>> = [
      { age: 32 },
      { gender: "female" },
      { relationshipStatus: "dating" },
      { location: "東京都" },
      { incomeRange: "500万円くらい" },
      { personality: { openness: 0.75 } },
      { personality: { conscientiousness: 0.25 } },
      { partner: { name: "健太" } },
      { partner: { temperament: "優しい" } },
      { partner: { appearance: "背が高い" } },
      { children: [{ name: "さくら" }] },
      { children: [{ name: "さくら", desiredGender: "female" }] },
    ];
    for (const piece of pieces) profile = mergeProfile(profile, piece);
    expect(profile).toEqual(complete);
  });
});

describe("sanitizeExtracted", () => {
  it("keeps valid values and drops invalid ones field by field", () => {
    const raw = {
      age: 200,
      gender: "female",
      relationshipStatus: "complicated",
      location: "  Osaka  ",
      incomeRange: "",
      personality: { openness: 0.75, conscientiousness: 7, extraversion: "high" },
      partner: { name: "", temperament: "calm", appearance: 42, height: "tall" },
      children: [{ name: "Sakura", desiredGender: "robot" }, { desiredGender: "male" }, "Taro", { name: "Taro", desiredGender: "male" }],
      extra: "ignored",
    };
    expect(sanitizeExtracted(raw)).toEqual({
      gender: "female",
      location: "Osaka",
      personality: { openness: 0.75 },
      partner: { temperament: "calm" },
      children: [{ name: "Sakura" }, { name: "Taro", desiredGender: "male" }],
    });
  });

  it.each<[string, unknown]>([
    ["null", null],
    ["a string", "age: 32"],
    ["an array", [{ age: 32 }]],
    ["nulls everywhere", { age: null, personality: null, partner: null, children: null }],
    ["empty composites", { personality: {}, partner: {}, children: [] }],
  ])("returns {} for %s", (_label, raw) => {
    expect(sanitizeExtracted(raw)).toEqual({});
  });
});

describe("extractionChanges", () => {
  it("keeps only what changes the profile, in stable field order", () => {
    const profile: Profile = { age: 32, personality: { openness: 0.5 } };
    const result = extractionChanges(profile, {
      location: "Osaka",
      age: 32,
      personality: { openness: 0.5, extraversion: 1 },
    });
    expect(result.extractedFields).toEqual(["location", "personality"]);
    expect(result.extracted).toEqual({ location: "Osaka", personality: { openness: 0.5, extraversion: 1 } });
  });

  it("reports nothing when the candidate repeats the profile", () => {
    expect(extractionChanges(complete, { age: 32, children: [{ name: "さくら", desiredGender: "female" }] })).toEqual({
      extracted: {},
      extractedFields: [],
    });
  });
});
