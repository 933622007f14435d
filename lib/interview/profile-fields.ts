// The names of the profile's fields and traits, apart from their validation: they import nothing, so the demo page
// (web/) imports them as they are instead of copying them.

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
export const PERSONALITY_TRAITS = [
  "openness",
  "conscientiousness",
  "extraversion",
  "agreeableness",
  "neuroticism",
] as const;
export type PersonalityTrait = (typeof PERSONALITY_TRAITS)[number];
