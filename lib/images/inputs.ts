import { createHash } from "node:crypto";
import type { ChildGender, Gender } from "../interview/profile.ts";
import { checkedPhotoOf, type ImageKind, type Session } from "../sessions/model.ts";
import type { ImageProviderTraits } from "./provider.ts";

/** A stored picture a job reads: its object key (unique per upload or job) and type. */
export interface StoredPicture {
  key: string;
  contentType: string;
}

/** Everything a partner job is made from, as references (keys, not bytes). */
export interface PartnerImagePlan {
  kind: "partner";
  gender: Gender | undefined;
  partner: { name: string; temperament: string; appearance: string };
  userPhoto: StoredPicture | undefined;
}

/** Everything a child job is made from, as references (keys, not bytes). */
export interface ChildImagePlan {
  kind: "child";
  child: { name: string; gender: ChildGender };
  userPhoto: StoredPicture;
  partnerImage: StoredPicture & { jobId: string };
}

export type ImagePlan = PartnerImagePlan | ChildImagePlan;

export type PlanResult = { ok: true; plan: ImagePlan; inputsHash: string } | { ok: false; missing: string[] };

/** The inputs of a generation from the session as it is now, or the names of what is still missing. */
export function planImage(session: Session, kind: ImageKind, traits: ImageProviderTraits): PlanResult {
  const plan = kind === "partner" ? planPartner(session, traits) : planChild(session);
  if (Array.isArray(plan)) return { ok: false, missing: plan };
  return { ok: true, plan, inputsHash: inputsHash(plan, traits) };
}

/** The photo a provider is given: its checked copy, never the upload. */
function readyPhoto(session: Session): StoredPicture | undefined {
  return checkedPhotoOf(session.photo) ?? undefined;
}

function planPartner(session: Session, traits: ImageProviderTraits): PartnerImagePlan | string[] {
  const partner = session.profile.partner;
  const missing = (["name", "temperament", "appearance"] as const).filter((key) => !partner?.[key]).map((key) => `partner.${key}`);
  if (!partner?.name || !partner.temperament || !partner.appearance) return missing;
  return {
    kind: "partner",
    gender: session.profile.gender,
    partner: { name: partner.name, temperament: partner.temperament, appearance: partner.appearance },
    // The photo is optional for the partner: used when the provider draws on it and it is ready.
    userPhoto: traits.partnerUsesUserPhoto ? readyPhoto(session) : undefined,
  };
}

function planChild(session: Session): ChildImagePlan | string[] {
  const photo = readyPhoto(session);
  const partnerImage = session.images.partner;
  const child = session.profile.children?.[0];
  const missing: string[] = [];
  if (!photo) missing.push("photo");
  if (partnerImage?.status !== "ready" || !partnerImage.key) missing.push("images.partner");
  if (!child) missing.push("children");
  if (!photo || !child || partnerImage?.status !== "ready" || !partnerImage.key) return missing;
  return {
    kind: "child",
    child: { name: child.name, gender: child.desiredGender ?? "either" },
    userPhoto: photo,
    partnerImage: { key: partnerImage.key, contentType: "image/png", jobId: partnerImage.jobId },
  };
}

// Exactly what the generation uses, in a fixed order: a change to anything else in the profile
// (age, income, messages) keeps the ready image. Object keys are unique per upload/job, so they
// stand for the bytes behind them; the partner job id stands for the partner picture the child is made from.
/** SHA-256 (hex) of the inputs of a generation, including the generator that makes it. */
export function inputsHash(plan: ImagePlan, traits: Pick<ImageProviderTraits, "id">): string {
  const canonical =
    plan.kind === "partner"
      ? [
          "partner/v1",
          traits.id,
          plan.gender ?? null,
          plan.partner.name,
          plan.partner.temperament,
          plan.partner.appearance,
          plan.userPhoto?.key ?? null,
        ]
      : ["child/v1", traits.id, plan.userPhoto.key, plan.partnerImage.jobId, plan.child.name, plan.child.gender];
  return createHash("sha256").update(JSON.stringify(canonical), "utf8").digest("hex");
}
