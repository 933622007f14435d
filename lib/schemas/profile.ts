import { PROFILE_FIELDS } from "./profile-fields.ts";
import * as z from "./zod.ts";

// The interview profile's schema: the one definition of what a stored (possibly partial) profile may hold, used to
// validate what the interviewers extract (lib/interview/profile.ts) and to describe the API's answers
// (lib/schemas/responses.ts). A stored profile is always partial; completeness is lib/interview/profile-fields.ts.

export const GENDERS = ["female", "male", "other"] as const;
export type Gender = (typeof GENDERS)[number];

export const RELATIONSHIP_STATUSES = ["single", "dating", "married", "other"] as const;
export type RelationshipStatus = (typeof RELATIONSHIP_STATUSES)[number];

// A wished child's gender: "either" means the user has no preference, which is a
// complete answer (the image generator may choose).
export const CHILD_GENDERS = ["female", "male", "either"] as const;
export type ChildGender = (typeof CHILD_GENDERS)[number];

export const MIN_AGE = 16;
export const MAX_AGE = 120;
/** Longest free-text answer kept (location, income, temperament, appearance). */
export const MAX_TEXT_LENGTH = 200;
/** Longest name kept (partner and children). */
export const MAX_NAME_LENGTH = 50;
/** Most children a profile holds; further new children are ignored by `mergeProfile`. */
export const MAX_CHILDREN = 10;
/** A free-text answer as kept: trimmed, 1–MAX_TEXT_LENGTH characters. */
export const freeText = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_TEXT_LENGTH));
/** A name as kept: trimmed, 1–MAX_NAME_LENGTH characters. */
export const nameText = z.string().check(z.trim(), z.minLength(1), z.maxLength(MAX_NAME_LENGTH));
/** A Big Five score, 0–1. */
export const traitScore = z.number().check(z.minimum(0), z.maximum(1));

export const ageSchema = z.int().check(z.minimum(MIN_AGE), z.maximum(MAX_AGE));
export const genderSchema = z.enum(GENDERS);
export const relationshipStatusSchema = z.enum(RELATIONSHIP_STATUSES);
export const childGenderSchema = z.enum(CHILD_GENDERS);

export const personalitySchema = z.strictObject({
  openness: z.optional(traitScore),
  conscientiousness: z.optional(traitScore),
  extraversion: z.optional(traitScore),
  agreeableness: z.optional(traitScore),
  neuroticism: z.optional(traitScore),
});
export type Personality = z.infer<typeof personalitySchema>;

export const partnerSchema = z.strictObject({
  name: z.optional(nameText),
  temperament: z.optional(freeText),
  appearance: z.optional(freeText),
});
export type Partner = z.infer<typeof partnerSchema>;

// A child is identified by its name (merges match on it), so the name is required even
// in a partial profile; the wished gender may follow in a later message.
export const childSchema = z.strictObject({
  name: nameText,
  desiredGender: z.optional(childGenderSchema),
});
export type Child = z.infer<typeof childSchema>;

export const profileSchema = z.strictObject({
  age: z.optional(ageSchema),
  gender: z.optional(genderSchema),
  relationshipStatus: z.optional(relationshipStatusSchema),
  location: z.optional(freeText),
  incomeRange: z.optional(freeText),
  personality: z.optional(personalitySchema),
  partner: z.optional(partnerSchema),
  children: z.optional(z.array(childSchema).check(z.maxLength(MAX_CHILDREN))),
});
/** A stored (possibly partial) interview profile. */
export type Profile = z.infer<typeof profileSchema>;

/** Top-level profile fields, in the stable order of `missingFields`. */
export const profileField = /* @__PURE__ */ z.enum(PROFILE_FIELDS);
