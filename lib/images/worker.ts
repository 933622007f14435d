import { deadlineSignal, untilAborted } from "../abort.ts";
import { currentTime, type Clocked } from "../clock.ts";
import { DependencyUnavailableError } from "../errors.ts";
import { describeError, logger } from "../observability/logger.ts";
import type { ImageJobEvent } from "../schemas/images.ts";
import { imageFields, type ImageState, type Session, type SessionStore } from "../sessions/model.ts";
import { updateSession } from "../sessions/optimistic.ts";
import { sniffImageType } from "../photos/inspect.ts";
import { objectKeys, type ObjectStore } from "../storage/objects.ts";
import { assertSwitchOn, type RuntimeSwitch } from "../switches.ts";
import { planImage, type ImagePlan, type StoredPicture } from "./inputs.ts";
import { ImageProviderError, isPng, type ImageFailureCode, type ImageInput, type ImageProvider, type SourceImage } from "./provider.ts";

// The worker side of an image job (lib/images/request.ts records and starts it): claim it once, generate within the
// deadline, write the PNG, settle the job as ready or failed.

/** What the image worker needs. */
export interface ImageWorkerDeps extends Clocked {
  store: SessionStore;
  objects: Pick<ObjectStore, "read" | "write" | "remove">;
  provider: ImageProvider;
  /** The generation deadline (IMAGE_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** The largest source picture read (user photo, partner image). */
  maxSourceBytes: number;
  /** The operator's switch: a job that starts while it is off fails with `images_paused`, calling no provider. */
  imagesSwitch: RuntimeSwitch;
  /** Aborted when the function itself is about to time out. */
  signal?: AbortSignal;
}

export type ImageJobResult =
  | { outcome: "ready"; durationMs: number }
  | { outcome: "failed"; error: ImageFailureCode; durationMs: number }
  | { outcome: "skipped"; reason: "session_missing" | "stale_job" | "already_claimed" | "superseded" | "contended" };

type SkipReason = Extract<ImageJobResult, { outcome: "skipped" }>["reason"];
type Claim = { session: Session; job: ImageState } | { skipped: SkipReason };

/**
 * Runs one image job at most once: claims it (pending → running), generates within the deadline, writes
 * the PNG in one PutObject and marks the job ready, or failed with a code and no object.
 */
export async function runImageJob(deps: ImageWorkerDeps, event: ImageJobEvent): Promise<ImageJobResult> {
  const claim = await claimJob(deps, event);
  if ("skipped" in claim) return { outcome: "skipped", reason: claim.skipped };
  const startedAt = Date.now();
  const elapsed = () => Date.now() - startedAt;
  const { session, job } = claim;

  let png: Buffer;
  let inputsHash: string;
  try {
    // Jobs queued before the switch went off (waiting for a worker, or retried) stop here, before any provider call.
    await assertSwitchOn(
      deps.imagesSwitch,
      () => new ImageProviderError("images_paused", "Image generation is switched off for this stage"),
    );
    const planned = planImage(session, event.kind, deps.provider);
    if (!planned.ok) throw new ImageProviderError("inputs_missing", "The job's inputs are no longer there");
    const input = await loadInput(deps, planned.plan);
    png = await generateWithDeadline(deps, input);
    if (!isPng(png)) throw new ImageProviderError("provider_bad_response", "The provider did not return a PNG");
    // The hash of what was really drawn (the session may have moved on since the request).
    inputsHash = planned.inputsHash;
  } catch (error) {
    return { outcome: "failed", error: await failJob(deps, event, job, error), durationMs: elapsed() };
  }

  const key = objectKeys.image(event.sessionId, event.kind);
  const current = await deps.store.load(event.sessionId);
  if (!isRunning(current, event)) return { outcome: "skipped", reason: "superseded" };
  try {
    await deps.objects.write(key, png, "image/png");
  } catch (error) {
    return { outcome: "failed", error: await failJob(deps, event, job, error), durationMs: elapsed() };
  }
  const ready: ImageState = { ...job, status: "ready", inputsHash, key, finishedAt: currentTime(deps).toISOString() };
  const outcome = await settle(deps.store, event, current, ready);
  if (outcome === "saved") return { outcome: "ready", durationMs: elapsed() };
  // Erased (or expired) while the picture was being stored: erasure may have listed the objects before it landed.
  if (outcome === "missing") await deps.objects.remove(key);
  return { outcome: "skipped", reason: outcome === "missing" ? "session_missing" : "superseded" };
}

async function claimJob(deps: ImageWorkerDeps, event: ImageJobEvent): Promise<Claim> {
  return updateSession<Claim>(deps.store, event.sessionId, {
    loaded: await deps.store.load(event.sessionId),
    decide: (session) => {
      if (!session) return { done: { skipped: "session_missing" } };
      const image = session.images[event.kind];
      // An event for a job that was replaced (or never recorded) has nothing left to do.
      if (!image || image.jobId !== event.jobId) return { done: { skipped: "stale_job" } };
      if (image.status !== "pending") return { done: { skipped: "already_claimed" } };
      const job: ImageState = { ...image, status: "running", startedAt: currentTime(deps).toISOString() };
      return {
        write: { set: imageFields(event.kind, job) },
        saved: (version) => ({ session: { ...session, version, images: { ...session.images, [event.kind]: job } }, job }),
      };
    },
    contended: () => ({ skipped: "contended" }),
  });
}

function isRunning(session: Session | null, event: ImageJobEvent): session is Session {
  const image = session?.images[event.kind];
  return image?.jobId === event.jobId && image.status === "running";
}

/** Writes the job's final state as long as the job is still this one and still running. */
function settle(
  store: SessionStore,
  event: ImageJobEvent,
  loaded: Session | null,
  next: ImageState,
): Promise<"saved" | "superseded" | "missing"> {
  return updateSession<"saved" | "superseded" | "missing">(store, event.sessionId, {
    loaded,
    decide: (session) => {
      if (!session) return { done: "missing" };
      return isRunning(session, event) ? { write: { set: imageFields(event.kind, next) }, saved: () => "saved" } : { done: "superseded" };
    },
    contended: () => "superseded",
  });
}

async function failJob(deps: ImageWorkerDeps, event: ImageJobEvent, job: ImageState, error: unknown): Promise<ImageFailureCode> {
  const code = failureCode(error);
  if (code === "internal_error") logger.error("image job crashed", { kind: event.kind, jobId: event.jobId, ...describeError(error) });
  const session = await deps.store.load(event.sessionId);
  // A replaced job touches nothing: the picture under its key may already be the newer job's.
  if (!isRunning(session, event)) return code;
  // A failed job leaves no picture behind, not even one an earlier job of this kind wrote.
  await deps.objects.remove(objectKeys.image(event.sessionId, event.kind)).catch((cause: unknown) => {
    logger.warn("could not remove the picture of a failed job", { kind: event.kind, ...describeError(cause) });
  });
  const failed: ImageState = { ...job, status: "failed", error: code, finishedAt: currentTime(deps).toISOString() };
  await settle(deps.store, event, session, failed);
  return code;
}

function failureCode(error: unknown): ImageFailureCode {
  if (error instanceof ImageProviderError) return error.code;
  if (error instanceof DependencyUnavailableError) return error.dependency === "s3" ? "storage_unavailable" : "provider_unavailable";
  return "internal_error";
}

async function loadInput(deps: ImageWorkerDeps, plan: ImagePlan): Promise<ImageInput> {
  if (plan.kind === "partner") {
    return {
      kind: "partner",
      gender: plan.gender,
      partner: plan.partner,
      ...(plan.userPhoto ? { userPhoto: await readSource(deps, plan.userPhoto) } : {}),
    };
  }
  const [userPhoto, partnerImage] = await Promise.all([readSource(deps, plan.userPhoto), readSource(deps, plan.partnerImage)]);
  return { kind: "child", child: plan.child, userPhoto, partnerImage };
}

async function readSource(deps: ImageWorkerDeps, picture: StoredPicture): Promise<SourceImage> {
  const object = await deps.objects.read(picture.key, deps.maxSourceBytes);
  if (!object || object.size > deps.maxSourceBytes)
    throw new ImageProviderError("inputs_missing", "A source picture is missing or too large");
  // Only checked pictures are ever sources (the photo's copy, a generated PNG); bytes of another type were not.
  if (sniffImageType(object.bytes) !== picture.contentType)
    throw new ImageProviderError("input_not_decodable", "A source picture is not the type it was stored as");
  return { bytes: object.bytes, contentType: picture.contentType };
}

/** Runs the provider under the deadline; a provider that ignores the signal is still cut off at it. */
async function generateWithDeadline(deps: ImageWorkerDeps, input: ImageInput): Promise<Buffer> {
  const deadlineAt = Date.now() + deps.timeoutMs;
  const signal = deadlineSignal(deps.timeoutMs, deps.signal);
  const timedOut = () => new ImageProviderError("generation_timeout", "The image provider did not finish in time");
  if (signal.aborted) throw timedOut();
  try {
    // The deadline lets the provider retry a transient failure only while another attempt still fits.
    return await untilAborted(deps.provider.generate(input, signal, { deadline: deadlineAt }), signal, timedOut);
  } catch (error) {
    throw signal.aborted ? timedOut() : error;
  }
}
