import type { Logger } from "@aws-lambda-powertools/logger";
import type { GenerateContentResponse } from "@google/genai";
import { setTimeout as sleep } from "node:timers/promises";
import { untilAborted } from "../abort.ts";

// One Gemini call as both providers make it: bounded retries of what is transient, a failure kind for what is not,
// and log lines an operator can act on. Hand-written rather than the SDK's `httpOptions.retryOptions`: that one
// (p-retry 4) ignores the API's RetryInfo delay and the caller's deadline, and keeps waiting after an abort.

/** Why a call failed, in the terms an operator acts on. */
export type GeminiFailureKind =
  /** 429: a quota or rate limit (RESOURCE_EXHAUSTED). */
  | "rate_limited"
  /** 5xx or the network: Google's side, or the way there. */
  | "unavailable"
  /** 400/401/403: the request, the key, billing or the project (INVALID_ARGUMENT, PERMISSION_DENIED, …). */
  | "rejected_request"
  /** 404 or "no longer available": the configured model is gone; change CHAT_MODEL / IMAGE_MODEL. */
  | "model_unavailable"
  /** It answered and declined: a block reason, a safety finish reason, or no content. */
  | "refused"
  /** It answered something unusable: not JSON, not the schema, cut off, bytes that are no image. */
  | "bad_response"
  /** The deadline or the caller's signal ended it. */
  | "timeout";

/** What a call tells an operator. Only statuses, codes, ids and counts: never a message, a prompt or an answer. */
export interface GeminiDiagnostics {
  /** The HTTP status of an error answer. */
  httpStatus?: number;
  /** The API's `error.status`, e.g. RESOURCE_EXHAUSTED, INVALID_ARGUMENT, NOT_FOUND. */
  apiStatus?: string;
  /** `ErrorInfo.reason` of the error's details, e.g. API_KEY_INVALID. */
  reason?: string;
  /** The first `QuotaFailure` violation's quota, e.g. GenerateRequestsPerDayPerProjectPerModel. */
  quotaId?: string;
  /** The `RetryInfo` delay the API asked for. */
  retryDelayMs?: number;
  finishReason?: string;
  blockReason?: string;
  /** The answer held text but no image (the model saying why it will not). */
  textOnly?: boolean;
  responseId?: string;
  modelVersion?: string;
  /** The model's lifecycle stage as the API reports it (STABLE, DEPRECATED, …) and its announced retirement. */
  modelStage?: string;
  retirementTime?: string;
  promptTokens?: number;
  outputTokens?: number;
  thoughtsTokens?: number;
}

/** A Gemini call that failed for good; its message is fixed text, safe to log. */
export class GeminiCallError extends Error {
  override readonly name = "GeminiCallError";
  readonly kind: GeminiFailureKind;
  readonly diagnostics: GeminiDiagnostics;

  constructor(kind: GeminiFailureKind, message: string, diagnostics: GeminiDiagnostics = {}) {
    super(message);
    this.kind = kind;
    this.diagnostics = diagnostics;
  }
}

/** How often and how patiently a call is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** The first back-off; doubled per retry (with jitter) up to `maxDelayMs`. A RetryInfo delay replaces it. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A retry starts only when this much time is left after its wait: an attempt that cannot finish only costs. */
  minAttemptMs: number;
}

/** The logger a call writes to: the function's own, or a test's. */
export type GeminiLogger = Pick<Logger, "info" | "warn" | "error">;

export interface GeminiCall<T> {
  use: "chat" | "image";
  model: string;
  /** Epoch ms by which the call is over, retries and waits included. */
  deadline: number;
  /** The caller's signal (the request's or the job's); aborting it ends the call at once. */
  signal?: AbortSignal | undefined;
  retry: RetryPolicy;
  logger: GeminiLogger;
  /** One attempt, given that attempt's own signal. */
  request: (signal: AbortSignal) => Promise<GenerateContentResponse>;
  /** The result of an answer, or a GeminiCallError (`refused`, `bad_response`). */
  interpret: (response: GenerateContentResponse) => T | Promise<T>;
  /** Tests replace the jitter. */
  random?: () => number;
}

const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const TIMED_OUT = "The Gemini call was aborted or ran out of time";

// Names the API itself chose; anything else (a statusText, free text) is not logged.
const CODE_NAME = /^[A-Z][A-Z0-9_]{0,63}$/;
const QUOTA_ID = /^[A-Za-z0-9_.-]{1,120}$/;
const OPAQUE_ID = /^[A-Za-z0-9_.:@/+-]{1,120}$/;
const TIMESTAMP = /^[0-9T:.Z+-]{10,40}$/;

// How the API says that a model is gone when it does not answer 404 (e.g. "… is no longer available to new users").
const MODEL_GONE = /\bmodels?\b.*\b(no longer available|not found|is not available|has been (retired|shut down|deprecated))\b/is;

interface Failure {
  kind: GeminiFailureKind;
  retryable: boolean;
  diagnostics: GeminiDiagnostics;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function safe(value: unknown, pattern: RegExp): string | undefined {
  return typeof value === "string" && pattern.test(value) ? value : undefined;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
}

function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** A protobuf Duration in its JSON form ("17s", "0.5s") in milliseconds. */
export function parseRetryDelay(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^(\d{1,7}(?:\.\d{1,9})?)s$/.exec(value.trim());
  return match?.[1] === undefined ? undefined : Math.round(Number(match[1]) * 1000);
}

/**
 * The parts of an error answer worth logging: the SDK's ApiError carries the HTTP status and, as its message, the
 * JSON body `{error: {code, message, status, details}}`. The API's message is read (to tell a gone model) but never kept.
 */
export function apiErrorDiagnostics(status: number, body: string): { diagnostics: GeminiDiagnostics; modelGone: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const error = isRecord(parsed) && isRecord(parsed.error) ? parsed.error : {};
  const details = Array.isArray(error.details) ? error.details.filter(isRecord) : [];
  const ofType = (suffix: string) => details.find((detail) => typeof detail["@type"] === "string" && detail["@type"].endsWith(suffix));
  const violations = ofType("google.rpc.QuotaFailure")?.violations;
  const firstViolation = Array.isArray(violations) ? violations.find(isRecord) : undefined;
  return {
    diagnostics: compact({
      httpStatus: status,
      apiStatus: safe(error.status, CODE_NAME),
      reason: safe(ofType("google.rpc.ErrorInfo")?.reason, CODE_NAME),
      quotaId: safe(firstViolation?.quotaId, QUOTA_ID),
      retryDelayMs: parseRetryDelay(ofType("google.rpc.RetryInfo")?.retryDelay),
    }),
    modelGone: typeof error.message === "string" && MODEL_GONE.test(error.message),
  };
}

/** The failure kind of an HTTP error answer. */
export function kindOfStatus(status: number, modelGone: boolean): { kind: GeminiFailureKind; retryable: boolean } {
  if (status === 429) return { kind: "rate_limited", retryable: true };
  if (RETRYABLE_STATUSES.has(status)) return { kind: "unavailable", retryable: true };
  if (status === 404 || (modelGone && status >= 400 && status < 500)) return { kind: "model_unavailable", retryable: false };
  if (status >= 400 && status < 500) return { kind: "rejected_request", retryable: false };
  return { kind: "unavailable", retryable: false };
}

function classify(error: unknown, attemptSignal: AbortSignal): Failure {
  if (error instanceof GeminiCallError)
    return { kind: error.kind, retryable: false, diagnostics: error.diagnostics, message: error.message };
  if (attemptSignal.aborted) return { kind: "timeout", retryable: false, diagnostics: {}, message: TIMED_OUT };
  if (isGeminiApiError(error)) {
    const { diagnostics, modelGone } = apiErrorDiagnostics(error.status, error.message);
    const { kind, retryable } = kindOfStatus(error.status, modelGone);
    const named = diagnostics.apiStatus ? ` (${diagnostics.apiStatus})` : "";
    return { kind, retryable, diagnostics, message: `The Gemini API answered HTTP ${error.status}${named}` };
  }
  // The SDK parses the body itself; a SyntaxError means the endpoint sent something that is not JSON.
  if (error instanceof SyntaxError)
    return { kind: "bad_response", retryable: false, diagnostics: {}, message: "The Gemini API sent a body that is not JSON" };
  // A network failure (fetch's TypeError). Its message is not kept: it may quote the request.
  return { kind: "unavailable", retryable: true, diagnostics: {}, message: "The Gemini API could not be reached" };
}

/** What a successful or declined answer says about itself. */
export function answerDiagnostics(response: GenerateContentResponse): GeminiDiagnostics {
  const usage = response.usageMetadata;
  return compact({
    finishReason: safe(response.candidates?.[0]?.finishReason, CODE_NAME),
    blockReason: safe(response.promptFeedback?.blockReason, CODE_NAME),
    responseId: safe(response.responseId, OPAQUE_ID),
    modelVersion: safe(response.modelVersion, OPAQUE_ID),
    modelStage: safe(response.modelStatus?.modelStage, CODE_NAME),
    retirementTime: safe(response.modelStatus?.retirementTime, TIMESTAMP),
    promptTokens: count(usage?.promptTokenCount),
    outputTokens: count(usage?.candidatesTokenCount),
    thoughtsTokens: count(usage?.thoughtsTokenCount),
  });
}

const AGING_STAGES = new Set(["LEGACY", "DEPRECATED", "RETIRED"]);

/** The wait before the next attempt, or undefined when there is none: not retryable, out of attempts, or past the deadline. */
export function retryWait(
  failure: { retryable: boolean; diagnostics: GeminiDiagnostics },
  attempt: number,
  policy: RetryPolicy,
  now: number,
  deadline: number,
  random: () => number,
): number | undefined {
  if (!failure.retryable || attempt >= policy.maxAttempts) return undefined;
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  // The API's own delay is what its quota needs; a shorter wait would only be refused again.
  const wait = failure.diagnostics.retryDelayMs ?? Math.round(backoff / 2 + (random() * backoff) / 2);
  return now + wait + policy.minAttemptMs <= deadline ? wait : undefined;
}

function logLevel(kind: GeminiFailureKind): "error" | "warn" {
  // What only an operator can fix (the model setting, the key, billing) is an error; the rest passes or is the user's.
  return kind === "model_unavailable" || kind === "rejected_request" ? "error" : "warn";
}

/**
 * Makes one Gemini call: retries 429 (after the API's RetryInfo delay) and 5xx/network failures with back-off while
 * another attempt fits before `deadline`, never 4xx; logs the outcome once; rejects only with GeminiCallError.
 */
export async function callGemini<T>(call: GeminiCall<T>): Promise<T> {
  const random = call.random ?? Math.random;
  const started = Date.now();
  const context = { use: call.use, model: call.model };
  const fail = (failure: Failure, attempts: number): GeminiCallError => {
    call.logger[logLevel(failure.kind)]("gemini call failed", {
      ...context,
      failure: failure.kind,
      attempts,
      latencyMs: Date.now() - started,
      ...failure.diagnostics,
    });
    return new GeminiCallError(failure.kind, failure.message, failure.diagnostics);
  };
  const timedOut = (attempts: number) => fail({ kind: "timeout", retryable: false, diagnostics: {}, message: TIMED_OUT }, attempts);

  for (let attempt = 1; ; attempt++) {
    const remaining = call.deadline - Date.now();
    if (call.signal?.aborted || remaining <= 0) throw timedOut(attempt - 1);
    const limit = Number.isFinite(remaining) ? AbortSignal.timeout(Math.max(1, Math.ceil(remaining))) : undefined;
    const attemptSignal = AbortSignal.any([call.signal, limit].filter((signal): signal is AbortSignal => signal !== undefined));

    let response: GenerateContentResponse;
    try {
      // The SDK cancels the HTTP request on abort; the race also covers a stage that ignores the signal.
      response = await untilAborted(call.request(attemptSignal), attemptSignal, () => new GeminiCallError("timeout", TIMED_OUT));
    } catch (error) {
      const failure = classify(error, attemptSignal);
      const wait = retryWait(failure, attempt, call.retry, Date.now(), call.deadline, random);
      if (wait === undefined) throw fail(failure, attempt);
      call.logger.warn("gemini call will be retried", { ...context, failure: failure.kind, attempt, waitMs: wait, ...failure.diagnostics });
      try {
        await sleep(wait, undefined, call.signal ? { signal: call.signal } : {});
      } catch {
        throw timedOut(attempt);
      }
      continue;
    }

    const described = answerDiagnostics(response);
    try {
      const value = await call.interpret(response);
      call.logger.info("gemini call succeeded", { ...context, attempts: attempt, latencyMs: Date.now() - started, ...described });
      if ((described.modelStage && AGING_STAGES.has(described.modelStage)) || described.retirementTime) {
        call.logger.warn("gemini model is being retired", {
          ...context,
          modelStage: described.modelStage,
          retirementTime: described.retirementTime,
        });
      }
      return value;
    } catch (error) {
      const failure = error instanceof GeminiCallError ? error : new GeminiCallError("bad_response", "The Gemini answer could not be used");
      throw fail(
        { kind: failure.kind, retryable: false, diagnostics: { ...described, ...failure.diagnostics }, message: failure.message },
        attempt,
      );
    }
  }
}

/** Whether an error is the SDK's ApiError (an HTTP answer from the API), told apart without loading the SDK. */
export function isGeminiApiError(error: unknown): error is Error & { status: number } {
  return error instanceof Error && error.name === "ApiError" && typeof (error as { status?: unknown }).status === "number";
}
