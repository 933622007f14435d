import type { Profile } from "../../../lib/interview/profile.ts";
import type { ImageState, PhotoState, Session, SessionStatus } from "../../../lib/sessions/model.ts";
import { newSessionId } from "../../../lib/sessions/tokens.ts";
import { objectKeys } from "../../../lib/storage/objects.ts";
import type { MemoryObjectStore } from "../../fakes/memory-object-store.ts";
import type { MemorySessionStore } from "../../fakes/memory-session-store.ts";

export const clock = () => new Date("2026-11-22T01:02:03.000Z");

/** A profile with everything the partner and child pictures need. */
export const READY_PROFILE: Profile = {
  age: 32,
  gender: "female",
  partner: { name: "Kenta", temperament: "gentle and calm", appearance: "tall, short black hair" },
  children: [{ name: "Sakura", desiredGender: "female" }],
};

/** A ready user photo whose checked copy exists in `objects`. */
export function readyPhoto(objects: MemoryObjectStore, sessionId: string, bytes: Buffer, upload = "upload1"): PhotoState {
  const key = objectKeys.checkedPhoto(sessionId, upload);
  objects.put(key, bytes, "image/jpeg");
  return {
    status: "ready",
    contentType: "image/jpeg",
    key,
    upload: objectKeys.userPhoto(sessionId, upload),
    size: bytes.length,
    requestedAt: clock().toISOString(),
    checkedAt: clock().toISOString(),
  };
}

/** A ready partner image whose object exists in `objects`. */
export function readyPartnerImage(objects: MemoryObjectStore, sessionId: string, bytes: Buffer, jobId = "partner-job-1"): ImageState {
  const key = objectKeys.image(sessionId, "partner");
  objects.put(key, bytes, "image/png");
  return { status: "ready", jobId, inputsHash: "h", key, requestedAt: clock().toISOString(), finishedAt: clock().toISOString() };
}

export interface SessionSeed {
  id?: string;
  profile?: Profile;
  status?: SessionStatus;
  photo?: PhotoState | null;
  partnerImage?: ImageState | null;
  childImage?: ImageState | null;
}

/** Creates a session in the store and returns it as loaded. */
export async function seedSession(store: MemorySessionStore, seed: SessionSeed = {}): Promise<Session> {
  const id = seed.id ?? newSessionId();
  await store.create(
    id,
    {
      tokenHash: "h",
      status: seed.status ?? "collecting",
      locale: "en",
      profile: seed.profile ?? READY_PROFILE,
      photo: seed.photo ?? null,
      images: { partner: seed.partnerImage ?? null, child: seed.childImage ?? null },
    },
    [],
  );
  const session = await store.load(id);
  if (!session) throw new Error("seeded session vanished");
  return session;
}
