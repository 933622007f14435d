import { randomBytes } from "node:crypto";
import { currentTime, type Clocked } from "../clock.ts";
import {
  DependencyUnavailableError,
  HttpError,
  ImagesPausedError,
  PreconditionFailedError,
  SessionCompletedError,
  SessionNotFoundError,
} from "../errors.ts";
import { enforceLimit } from "../limits/enforce.ts";
import type { RateLimiter } from "../limits/rate-limiter.ts";
import { assertSwitchOn, type RuntimeSwitch } from "../switches.ts";
import { describeError, logger } from "../observability/logger.ts";
import { imageFields, isJobUnderWay, type ImageKind, type ImageState, type Session, type SessionStore } from "../sessions/model.ts";
import { updateSession } from "../sessions/optimistic.ts";
import { GENERATED_IMAGE_TYPE, type ObjectStore } from "../storage/objects.ts";
import type { JobDispatcher } from "./dispatch.ts";
import { planImage } from "./inputs.ts";
import type { ImageProviderTraits } from "./provider.ts";
import type { imageJobBody, readyImageBody } from "../schemas/responses.ts";
import type * as z from "../schemas/zod.ts";

// The request side of an image job: record it on the session (one job however often it is asked), count it against
// the daily allowance, and start the worker (lib/images/worker.ts) asynchronously.

/** What a request for a picture needs. */
export interface ImageRequestDeps extends Clocked {
  store: SessionStore;
  objects: Pick<ObjectStore, "presignDownload">;
  dispatcher: JobDispatcher;
  /** Counts new jobs per session; it must refuse (throw) when it cannot answer. */
  limiter: RateLimiter;
  /**
   * Counts a new job against the requesting client address's hour and the stage's day (a SpendLimiter bound to the
   * request's address); it must refuse (throw) when it cannot answer.
   */
  spend: () => Promise<void>;
  /** The operator's switch: while off, no new job is recorded (503 images_paused). */
  imagesSwitch: RuntimeSwitch;
  traits: ImageProviderTraits;
  downloadTtlSeconds: number;
  /**
   * A job pending or running for longer than this is taken as lost (its worker was killed or its event
   * never arrived) and a new request replaces it. Must exceed the worker function's own timeout, so a
   * replaced job's worker can no longer be running.
   */
  staleAfterMs: number;
  newJobId?: () => string;
}

/** The `image` of a response: a job under way, or the ready picture with a short-lived URL. */
export type RequestedImage = z.infer<typeof imageJobBody> | z.infer<typeof readyImageBody>;

export interface ImageRequestResult {
  /** 202 while a job is under way, 200 for a ready picture made from the same inputs. */
  image: RequestedImage;
  /** `created`: this call started the job; `in_progress` / `ready`: it returned what was there. */
  outcome: "created" | "in_progress" | "ready";
}

/** A new random job id: 128 bits, URL-safe. */
export function newJobId(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Asks for a picture: returns the job under way, or the ready picture when its inputs are unchanged,
 * or else records a new job (limited per session, per client address and for the stage) and starts the worker
 * asynchronously. While the images switch is off, a new job is refused with 503 images_paused.
 */
export function requestImage(deps: ImageRequestDeps, session: Session, kind: ImageKind): Promise<ImageRequestResult> {
  return updateSession<ImageRequestResult>(deps.store, session.id, {
    loaded: session,
    decide: async (current) => {
      if (!current) throw new SessionNotFoundError();
      if (current.status === "completed") {
        throw new SessionCompletedError();
      }
      const image = current.images[kind];
      // A job under way is returned as it is, whatever changed since: two workers must never write the same picture.
      if (isJobUnderWay(image, currentTime(deps).getTime(), deps.staleAfterMs)) {
        return { done: { image: { kind, status: image.status, jobId: image.jobId }, outcome: "in_progress" } };
      }
      const planned = planImage(current, kind, deps.traits);
      if (!planned.ok) {
        // While paused, a picture is refused as paused whatever it still lacks: that is the answer that stays true.
        await assertSwitchOn(deps.imagesSwitch, () => new ImagesPausedError());
        throw new PreconditionFailedError(kind, planned.missing);
      }
      if (image?.status === "ready" && image.key && image.inputsHash === planned.inputsHash) {
        const url = await deps.objects.presignDownload(image.key, deps.downloadTtlSeconds, { contentType: GENERATED_IMAGE_TYPE });
        return { done: { image: { kind, status: "ready", jobId: image.jobId, url }, outcome: "ready" } };
      }
      await assertSwitchOn(deps.imagesSwitch, () => new ImagesPausedError());
      const job: ImageState = {
        status: "pending",
        jobId: (deps.newJobId ?? newJobId)(),
        inputsHash: planned.inputsHash,
        requestedAt: currentTime(deps).toISOString(),
      };
      return {
        write: { set: imageFields(kind, job) },
        saved: async (version) => {
          const recorded: Session = { ...current, version, images: { ...current.images, [kind]: job } };
          // Counted only once this call has won the write, so racing duplicates do not spend the allowance.
          await admit(deps, recorded, kind, job, image);
          await start(deps, recorded, kind, job);
          return { image: { kind, status: "pending", jobId: job.jobId }, outcome: "created" };
        },
      };
    },
  });
}

async function admit(
  deps: ImageRequestDeps,
  recorded: Session,
  kind: ImageKind,
  job: ImageState,
  previous: ImageState | null,
): Promise<void> {
  try {
    // The session's own allowance first: a call it refuses spends nothing of the client's hour or the stage's day.
    await enforceLimit(deps.limiter, recorded.id);
    await deps.spend();
  } catch (error) {
    // Fail closed: a limiter that cannot answer never lets a paid generation through.
    const refusal = error instanceof HttpError ? error : new DependencyUnavailableError("rate_limiter", error);
    // The refused job is taken back, so the session shows what it showed before this request.
    await replacePendingJob(deps.store, recorded, kind, job.jobId, previous);
    throw refusal;
  }
}

async function start(deps: ImageRequestDeps, recorded: Session, kind: ImageKind, job: ImageState): Promise<void> {
  try {
    await deps.dispatcher.dispatch({ sessionId: recorded.id, kind, jobId: job.jobId });
  } catch (error) {
    // Nothing will run this job: it is marked failed (not left pending), and asking again starts a new one.
    logger.error("image job dispatch failed", { kind, jobId: job.jobId, ...describeError(error) });
    const failed: ImageState = { ...job, status: "failed", error: "dispatch_failed", finishedAt: currentTime(deps).toISOString() };
    await replacePendingJob(deps.store, recorded, kind, job.jobId, failed);
    throw new DependencyUnavailableError("image_worker", error);
  }
}

/** Replaces a job this request recorded, as long as it is still that job and still pending; best effort. */
async function replacePendingJob(
  store: SessionStore,
  recorded: Session,
  kind: ImageKind,
  jobId: string,
  next: ImageState | null,
): Promise<void> {
  try {
    await updateSession(store, recorded.id, {
      loaded: recorded,
      decide: (session) => {
        const image = session?.images[kind];
        if (!session || image?.jobId !== jobId || image.status !== "pending") return { done: undefined };
        return { write: { set: imageFields(kind, next) }, saved: () => undefined };
      },
      contended: () => undefined,
    });
  } catch (error) {
    // The job stays pending until it counts as lost; the caller's own error is the one to report.
    logger.warn("could not take back an image job", { kind, jobId, ...describeError(error) });
  }
}
