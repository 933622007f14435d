// The names of the profile's fields and what makes a profile complete, apart from the validation of its values
// (lib/interview/profile.ts, with zod): this module imports nothing, so the functions that only ask what is missing
// and the demo page (web/) carry no schema.

/** Top-level profile fields, in the stable order used for questions and `missingFields`. */
export const PROFILE_FIELDS = [
  "age",
  "gender",
  "relationshipStatus",
  "location",
  "incomeRange",
  "personality",
  "partner",
  "children",
] as const;
export type ProfileField = (typeof PROFILE_FIELDS)[number];

/** Big Five traits, in the order the interviewer asks them. */
export const PERSONALITY_TRAITS = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"] as const;
export type PersonalityTrait = (typeof PERSONALITY_TRAITS)[number];

/** Partner keys, in the order the interviewer asks them. */
export const PARTNER_KEYS = ["name", "temperament", "appearance"] as const;
export type PartnerKey = (typeof PARTNER_KEYS)[number];

/** Personality counts as answered once this many traits are set. */
export const MIN_PERSONALITY_TRAITS = 2;

/** What completeness looks at: which fields hold a value (the validated type is `Profile`). */
export type ProfileShape = { readonly [Field in ProfileField]?: unknown } & {
  readonly personality?: Partial<Record<PersonalityTrait, number>>;
  readonly partner?: Partial<Record<PartnerKey, string>>;
  readonly children?: ReadonlyArray<{ desiredGender?: string }>;
};

/** Number of personality traits that hold a score. */
export function personalityTraitCount(personality: Partial<Record<PersonalityTrait, number>> | undefined): number {
  if (!personality) return 0;
  return PERSONALITY_TRAITS.filter((trait) => personality[trait] !== undefined).length;
}

function isFieldComplete(profile: ProfileShape, field: ProfileField): boolean {
  switch (field) {
    case "personality":
      return personalityTraitCount(profile.personality) >= MIN_PERSONALITY_TRAITS;
    case "partner": {
      const partner = profile.partner;
      return partner !== undefined && PARTNER_KEYS.every((key) => partner[key] !== undefined);
    }
    case "children":
      return (profile.children ?? []).some((child) => child.desiredGender !== undefined);
    default:
      return profile[field] !== undefined;
  }
}

/** Fields still needed for a complete profile, in `PROFILE_FIELDS` order (empty when complete). */
export function missingFields(profile: ProfileShape): ProfileField[] {
  return PROFILE_FIELDS.filter((field) => !isFieldComplete(profile, field));
}

/** True when every field the spec requires is present. */
export function isProfileComplete(profile: ProfileShape): boolean {
  return missingFields(profile).length === 0;
}
