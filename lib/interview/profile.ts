import {
  ageSchema,
  childGenderSchema,
  freeText,
  genderSchema,
  MAX_CHILDREN,
  nameText,
  relationshipStatusSchema,
  traitScore,
  type Child,
  type Partner,
  type Personality,
  type Profile,
} from "../schemas/profile.ts";
import { PERSONALITY_TRAITS, PROFILE_FIELDS, type ProfileField } from "../schemas/profile-fields.ts";

// The interview profile: what the interviewer collects before images can be generated.
// A stored profile is always partial (it fills up over the chat); completeness is a
// separate question answered by `missingFields`.

export * from "../schemas/profile.ts";
export * from "../schemas/profile-fields.ts";
export { isProfileComplete, missingFields, personalityTraitCount, type ProfileShape } from "./profile-fields.ts";

function childKey(name: string): string {
  // Same child despite width/case/spacing differences ("Ｓａｋｕｒａ" vs "sakura ").
  return name.normalize("NFKC").trim().toLowerCase();
}

function mergeChildren(existing: readonly Child[], incoming: readonly Child[]): Child[] {
  const result = existing.map((child) => ({ ...child }));
  for (const child of incoming) {
    const index = result.findIndex((candidate) => childKey(candidate.name) === childKey(child.name));
    const current = index >= 0 ? result[index] : undefined;
    if (current) {
      // The first spelling of the name stays; only the other details are updated.
      result[index] = { ...current, ...definedOnly(child), name: current.name };
    } else if (result.length < MAX_CHILDREN) {
      result.push({ ...definedOnly(child), name: child.name });
    }
  }
  return result;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as Array<keyof T>) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}

// Scalars are replaced, personality merges per trait, partner per key, and children merge by
// name (a new name is appended, up to MAX_CHILDREN). Undefined values change nothing.
/** A new profile with `extracted` applied; neither input is mutated. */
export function mergeProfile(profile: Profile, extracted: Partial<Profile>): Profile {
  const combined: Profile = { ...definedOnly(profile), ...definedOnly(extracted) };
  if (profile.personality !== undefined || extracted.personality !== undefined) {
    combined.personality = { ...profile.personality, ...definedOnly(extracted.personality ?? {}) };
  }
  if (profile.partner !== undefined || extracted.partner !== undefined) {
    combined.partner = { ...profile.partner, ...definedOnly(extracted.partner ?? {}) };
  }
  if (profile.children !== undefined || extracted.children !== undefined) {
    combined.children = mergeChildren(profile.children ?? [], extracted.children ?? []);
  }
  // Rebuilt in PROFILE_FIELDS order so stored JSON is stable and unknown keys never leak in.
  const result: Profile = {};
  for (const field of PROFILE_FIELDS) {
    if (combined[field] !== undefined) copyField(result, combined, field);
  }
  return result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

// Each field, trait, partner key and child is checked on its own, so one bad value does not
// cost the good ones next to it.
/** Only the valid parts of an untrusted extraction (e.g. a model's JSON); anything invalid is dropped. */
export function sanitizeExtracted(raw: unknown): Partial<Profile> {
  if (!isRecord(raw)) return {};
  const out: Partial<Profile> = {};
  const age = ageSchema.safeParse(raw.age);
  if (age.success) out.age = age.data;
  const gender = genderSchema.safeParse(raw.gender);
  if (gender.success) out.gender = gender.data;
  const status = relationshipStatusSchema.safeParse(raw.relationshipStatus);
  if (status.success) out.relationshipStatus = status.data;
  const location = freeText.safeParse(raw.location);
  if (location.success) out.location = location.data;
  const income = freeText.safeParse(raw.incomeRange);
  if (income.success) out.incomeRange = income.data;

  if (isRecord(raw.personality)) {
    const personality: Personality = {};
    for (const trait of PERSONALITY_TRAITS) {
      const score = traitScore.safeParse(raw.personality[trait]);
      if (score.success) personality[trait] = score.data;
    }
    if (Object.keys(personality).length > 0) out.personality = personality;
  }

  if (isRecord(raw.partner)) {
    const partner: Partner = {};
    const name = nameText.safeParse(raw.partner.name);
    if (name.success) partner.name = name.data;
    const temperament = freeText.safeParse(raw.partner.temperament);
    if (temperament.success) partner.temperament = temperament.data;
    const appearance = freeText.safeParse(raw.partner.appearance);
    if (appearance.success) partner.appearance = appearance.data;
    if (Object.keys(partner).length > 0) out.partner = partner;
  }

  if (Array.isArray(raw.children)) {
    const children: Child[] = [];
    for (const item of raw.children.slice(0, MAX_CHILDREN)) {
      if (!isRecord(item)) continue;
      const name = nameText.safeParse(item.name);
      if (!name.success) continue;
      const desiredGender = childGenderSchema.safeParse(item.desiredGender);
      children.push(desiredGender.success ? { name: name.data, desiredGender: desiredGender.data } : { name: name.data });
    }
    if (children.length > 0) out.children = children;
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isRecord(a) && isRecord(b)) {
    const keysA = Object.keys(a).filter((key) => a[key] !== undefined);
    const keysB = Object.keys(b).filter((key) => b[key] !== undefined);
    return keysA.length === keysB.length && keysA.every((key) => deepEqual(a[key], b[key]));
  }
  return false;
}

/** The part of `candidate` that would actually change `profile`, plus those fields' names in stable order. */
export function extractionChanges(
  profile: Profile,
  candidate: Partial<Profile>,
): { extracted: Partial<Profile>; extractedFields: ProfileField[] } {
  const merged = mergeProfile(profile, candidate);
  const extracted: Partial<Profile> = {};
  const extractedFields: ProfileField[] = [];
  for (const field of PROFILE_FIELDS) {
    if (candidate[field] === undefined || deepEqual(merged[field], profile[field])) continue;
    extractedFields.push(field);
    copyField(extracted, candidate, field);
  }
  return { extracted, extractedFields };
}

function copyField(target: Partial<Profile>, source: Partial<Profile>, field: ProfileField): void {
  // A typed per-field copy, because assigning through a union key loses the value type.
  switch (field) {
    case "age":
      target.age = source.age;
      break;
    case "gender":
      target.gender = source.gender;
      break;
    case "relationshipStatus":
      target.relationshipStatus = source.relationshipStatus;
      break;
    case "location":
      target.location = source.location;
      break;
    case "incomeRange":
      target.incomeRange = source.incomeRange;
      break;
    case "personality":
      target.personality = source.personality;
      break;
    case "partner":
      target.partner = source.partner;
      break;
    case "children":
      target.children = source.children;
      break;
  }
}
