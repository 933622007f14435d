// The names of the profile's fields, traits and partner keys, in the order the interview asks them: plain lists that
// import nothing, so the schemas, the domain and the demo page (web/) share them instead of copying them.

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
