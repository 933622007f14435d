import { randomBytes } from "node:crypto";
import { ConflictError, DependencyUnavailableError, HttpError, RateLimitedError, SessionNotFoundError } from "../http/errors.ts";
import type { RateLimiter } from "../limits/rate-limiter.ts";
import { describeError, logger } from "../observability/logger.ts";
import { countMetric, MetricName } from "../observability/metrics.ts";
import type { ImageJobEvent } from "../schemas/images.ts";
import type * as z from "../schemas/zod.ts";
import type { imageJobBody, readyImageBody } from "../schemas/responses.ts";
import type { ImageKind, ImageState, Session, SessionFields, SessionStore } from "../sessions/model.ts";
import { objectKeys, type ObjectStore } from "../storage/objects.ts";
import type { JobDispatcher } from "./dispatch.ts";
import { planImage, type ImagePlan, type StoredPicture } from "./inputs.ts";
import {
  ImageProviderError,
  isPng,
  type ImageFailureCode,
  type ImageInput,
  type ImageProvider,
  type ImageProviderTraits,
  type SourceImage,
} from "./provider.ts";

// A request and the worker each read the session, decide, and write back with `expectedVersion`:
// the store applies a write only at the version it was decided on, so of two racing writers one
// wins and the other reloads and decides again. That is what makes five parallel requests one job
// and a doubly delivered event one run.
const MAX_WRITE_ATTEMPTS = 8;

/** Seconds past the generation deadline before a job still pending or running is taken as lost. */
export const LOST_JOB_MARGIN_SECONDS = 90;

/** Seconds the worker function may run beyond the generation deadline (reads, the upload, the final write). */
export const WORKER_MARGIN_SECONDS = 30;

/** What a request for a picture needs. */
export interface ImageRequestDeps {
  store: SessionStore;
  objects: Pick<ObjectStore, "presignDownload">;
  dispatcher: JobDispatcher;
  /** Counts new jobs per session; it must refuse (throw) when it cannot answer. */
  limiter: RateLimiter;
  traits: ImageProviderTraits;
  downloadTtlSeconds: number;
  /**
   * A job pending or running for longer than this is taken as lost (its worker was killed or its event
   * never arrived) and a new request replaces it. Must exceed the worker function's own timeout, so a
   * replaced job's worker can no longer be running.
   */
  staleAfterMs: number;
  now?: () => Date;
  newJobId?: () => string;
}

/** The `image` of a response: a job under way, or the ready picture with a short-lived URL. */
export type RequestedImage = z.infer<typeof imageJobBody> | z.infer<typeof readyImageBody>;

export interface ImageRequestResult {
  /** 202 while a job is under way, 200 for a ready picture made from the same inputs. */
  httpStatus: 200 | 202;
  image: RequestedImage;
  /** `created`: this call started the job; `in_progress` / `ready`: it returned what was there. */
  outcome: "created" | "in_progress" | "ready";
}

/** A new random job id: 128 bits, URL-safe. */
export function newJobId(): string {
  return randomBytes(16).toString("base64url");
}

function imageFields(kind: ImageKind, state: ImageState | null): SessionFields {
  return kind === "partner" ? { partnerImage: state } : { childImage: state };
}

function isUnderWay(image: ImageState | null): image is ImageState & { status: "pending" | "running" } {
  return image?.status === "pending" || image?.status === "running";
}

function isLost(image: ImageState, nowMs: number, staleAfterMs: number): boolean {
  const since = Date.parse(image.startedAt ?? image.requestedAt);
  return Number.isFinite(since) && nowMs - since > staleAfterMs;
}

/**
 * Asks for a picture: returns the job under way, or the ready picture when its inputs are unchanged,
 * or else records a new job (rate-limited per session) and starts the worker asynchronously.
 */
export async function requestImage(deps: ImageRequestDeps, session: Session, kind: ImageKind): Promise<ImageRequestResult> {
  const now = deps.now ?? (() => new Date());
  let current = session;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    if (current.status === "completed") {
      throw new ConflictError("session_completed", "This session is completed; its pictures can no longer change.");
    }
    const image = current.images[kind];
    // A job under way is returned as it is, whatever changed since: two workers must never write the same picture.
    if (isUnderWay(image) && !isLost(image, now().getTime(), deps.staleAfterMs)) {
      return { httpStatus: 202, image: { kind, status: image.status, jobId: image.jobId }, outcome: "in_progress" };
    }
    const planned = planImage(current, kind, deps.traits);
    if (!planned.ok) {
      throw new ConflictError("precondition_failed", `The ${kind} picture cannot be generated yet.`, { details: { missing: planned.missing } });
    }
    if (image?.status === "ready" && image.key && image.inputsHash === planned.inputsHash) {
      const url = await deps.objects.presignDownload(image.key, deps.downloadTtlSeconds);
      return { httpStatus: 200, image: { kind, status: "ready", jobId: image.jobId, url }, outcome: "ready" };
    }

    const job: ImageState = {
      status: "pending",
      jobId: (deps.newJobId ?? newJobId)(),
      inputsHash: planned.inputsHash,
      requestedAt: now().toISOString(),
    };
    const saved = await deps.store.save(current.id, { expectedVersion: current.version, set: imageFields(kind, job) });
    if (saved.outcome === "missing") throw new SessionNotFoundError();
    if (saved.outcome === "conflict") {
      const reloaded = await deps.store.load(current.id);
      if (!reloaded) throw new SessionNotFoundError();
      current = reloaded;
      continue;
    }

    // Counted only once this call has won the write, so racing duplicates do not spend the allowance.
    await admit(deps, current.id, kind, job, image, saved.version);
    await start(deps, current.id, kind, job, saved.version);
    return { httpStatus: 202, image: { kind, status: "pending", jobId: job.jobId }, outcome: "created" };
  }
  throw new ConflictError("session_busy", "The session is being changed by another request; try again.", { retryAfterSeconds: 1 });
}

async function admit(
  deps: ImageRequestDeps,
  sessionId: string,
  kind: ImageKind,
  job: ImageState,
  previous: ImageState | null,
  version: number,
): Promise<void> {
  let refusal: HttpError;
  try {
    const decision = await deps.limiter.limit(sessionId);
    if (decision.allowed) return;
    countMetric(MetricName.RateLimited);
    refusal = new RateLimitedError(decision.retryAfterSeconds);
  } catch (error) {
    // Fail closed: a limiter that cannot answer never lets a paid generation through.
    refusal = error instanceof HttpError ? error : new DependencyUnavailableError("rate_limiter", error);
  }
  // The refused job is taken back, so the session shows what it showed before this request.
  await replacePendingJob(deps.store, sessionId, kind, job.jobId, version, previous);
  throw refusal;
}

async function start(deps: ImageRequestDeps, sessionId: string, kind: ImageKind, job: ImageState, version: number): Promise<void> {
  try {
    await deps.dispatcher.dispatch({ sessionId, kind, jobId: job.jobId });
  } catch (error) {
    // Nothing will run this job: it is marked failed (not left pending), and asking again starts a new one.
    logger.error("image job dispatch failed", { kind, jobId: job.jobId, ...describeError(error) });
    const failed: ImageState = { ...job, status: "failed", error: "dispatch_failed", finishedAt: (deps.now ?? (() => new Date()))().toISOString() };
    await replacePendingJob(deps.store, sessionId, kind, job.jobId, version, failed);
    throw new DependencyUnavailableError("image_worker", error);
  }
}

/** Replaces a job this request recorded, as long as it is still that job and still pending; best effort. */
async function replacePendingJob(
  store: SessionStore,
  sessionId: string,
  kind: ImageKind,
  jobId: string,
  version: number,
  next: ImageState | null,
): Promise<void> {
  let expectedVersion = version;
  try {
    for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
      const saved = await store.save(sessionId, { expectedVersion, set: imageFields(kind, next) });
      if (saved.outcome !== "conflict") return;
      const session = await store.load(sessionId);
      const image = session?.images[kind];
      if (!session || image?.jobId !== jobId || image.status !== "pending") return;
      expectedVersion = session.version;
    }
  } catch (error) {
    // The job stays pending until it counts as lost; the caller's own error is the one to report.
    logger.warn("could not take back an image job", { kind, jobId, ...describeError(error) });
  }
}

/** What the image worker needs. */
export interface ImageWorkerDeps {
  store: SessionStore;
  objects: Pick<ObjectStore, "read" | "write" | "remove">;
  provider: ImageProvider;
  /** The generation deadline (IMAGE_TIMEOUT_SECONDS). */
  timeoutMs: number;
  /** The largest source picture read (user photo, partner image). */
  maxSourceBytes: number;
  /** Aborted when the function itself is about to time out. */
  signal?: AbortSignal;
  now?: () => Date;
}

export type ImageJobResult =
  | { outcome: "ready"; durationMs: number }
  | { outcome: "failed"; error: ImageFailureCode; durationMs: number }
  | { outcome: "skipped"; reason: "session_missing" | "stale_job" | "already_claimed" | "superseded" | "contended" };

type Claim = { session: Session; job: ImageState } | { skipped: Extract<ImageJobResult, { outcome: "skipped" }>["reason"] };

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
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const ready: ImageState = { ...job, status: "ready", inputsHash, key, finishedAt };
  const outcome = await settle(deps.store, event, current, ready);
  return outcome === "saved" ? { outcome: "ready", durationMs: elapsed() } : { outcome: "skipped", reason: "superseded" };
}

async function claimJob(deps: ImageWorkerDeps, event: ImageJobEvent): Promise<Claim> {
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    const session = await deps.store.load(event.sessionId);
    if (!session) return { skipped: "session_missing" };
    const image = session.images[event.kind];
    // An event for a job that was replaced (or never recorded) has nothing left to do.
    if (!image || image.jobId !== event.jobId) return { skipped: "stale_job" };
    if (image.status !== "pending") return { skipped: "already_claimed" };
    const job: ImageState = { ...image, status: "running", startedAt: (deps.now ?? (() => new Date()))().toISOString() };
    const saved = await deps.store.save(session.id, { expectedVersion: session.version, set: imageFields(event.kind, job) });
    if (saved.outcome === "missing") return { skipped: "session_missing" };
    if (saved.outcome === "saved") {
      return { session: { ...session, version: saved.version, images: { ...session.images, [event.kind]: job } }, job };
    }
  }
  return { skipped: "contended" };
}

function isRunning(session: Session | null, event: ImageJobEvent): session is Session {
  const image = session?.images[event.kind];
  return image?.jobId === event.jobId && image.status === "running";
}

/** Writes the job's final state as long as the job is still this one and still running. */
async function settle(store: SessionStore, event: ImageJobEvent, loaded: Session | null, next: ImageState): Promise<"saved" | "superseded"> {
  let session = loaded;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
    if (!isRunning(session, event)) return "superseded";
    const saved = await store.save(event.sessionId, { expectedVersion: session.version, set: imageFields(event.kind, next) });
    if (saved.outcome === "saved") return "saved";
    if (saved.outcome === "missing") return "superseded";
    session = await store.load(event.sessionId);
  }
  return "superseded";
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
  const finishedAt = (deps.now ?? (() => new Date()))().toISOString();
  const failed: ImageState = { ...job, status: "failed", error: code, finishedAt };
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
  if (!object || object.size > deps.maxSourceBytes) throw new ImageProviderError("inputs_missing", "A source picture is missing or too large");
  return { bytes: object.bytes, contentType: picture.contentType };
}

/** Runs the provider under the deadline; a provider that ignores the signal is still cut off at it. */
async function generateWithDeadline(deps: ImageWorkerDeps, input: ImageInput): Promise<Buffer> {
  const deadline = AbortSignal.timeout(deps.timeoutMs);
  const signal = deps.signal ? AbortSignal.any([deadline, deps.signal]) : deadline;
  const timedOut = () => new ImageProviderError("generation_timeout", "The image provider did not finish in time");
  if (signal.aborted) throw timedOut();
  return new Promise<Buffer>((resolve, reject) => {
    const onAbort = () => reject(timedOut());
    signal.addEventListener("abort", onAbort, { once: true });
    deps.provider.generate(input, signal).then(
      (png) => {
        signal.removeEventListener("abort", onAbort);
        resolve(png);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(signal.aborted ? timedOut() : error);
      },
    );
  });
}
