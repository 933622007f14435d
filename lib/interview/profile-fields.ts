// What makes a profile complete, apart from the validation of its values (lib/schemas/profile.ts, with zod): the
// functions that only ask what is missing carry no schema.

import {
  MIN_PERSONALITY_TRAITS,
  PARTNER_KEYS,
  PERSONALITY_TRAITS,
  PROFILE_FIELDS,
  type PartnerKey,
  type PersonalityTrait,
  type ProfileField,
} from "../schemas/profile-fields.ts";

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
