import { describe, expect, it } from "vitest";
import {
  answerDiagnostics,
  apiErrorDiagnostics,
  kindOfStatus,
  parseRetryDelay,
  retryWait,
  type RetryPolicy,
} from "../../../lib/providers/gemini-call.ts";

const POLICY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 8000, minAttemptMs: 15_000 };
const half = () => 0.5;

function body(error: Record<string, unknown>): string {
  return JSON.stringify({ error });
}

describe("parseRetryDelay", () => {
  it.each<[unknown, number | undefined]>([
    ["17s", 17_000],
    ["0.5s", 500],
    ["1.25s", 1250],
    [" 3s ", 3000],
    ["3", undefined],
    ["3m", undefined],
    ["-1s", undefined],
    [17, undefined],
    [undefined, undefined],
  ])("reads %j as %s ms", (value, expected) => {
    expect(parseRetryDelay(value)).toBe(expected);
  });
});

describe("apiErrorDiagnostics", () => {
  it("reads the API's status, the ErrorInfo reason, the quota and the RetryInfo delay of an error body", () => {
    const { diagnostics, modelGone } = apiErrorDiagnostics(
      429,
      body({
        code: 429,
        message: "You exceeded your current quota",
        status: "RESOURCE_EXHAUSTED",
        details: [
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "GenerateRequestsPerDayPerProjectPerModel" }] },
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "RATE_LIMIT_EXCEEDED" },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "42s" },
        ],
      }),
    );
    expect(diagnostics).toEqual({
      httpStatus: 429,
      apiStatus: "RESOURCE_EXHAUSTED",
      reason: "RATE_LIMIT_EXCEEDED",
      quotaId: "GenerateRequestsPerDayPerProjectPerModel",
      retryDelayMs: 42_000,
    });
    expect(modelGone).toBe(false);
  });

  it("keeps nothing but the HTTP status of a body that is not the API's (the SDK's statusText, HTML)", () => {
    expect(
      apiErrorDiagnostics(
        503,
        JSON.stringify({ error: { message: "<html>Service Unavailable</html>", code: 503, status: "Service Unavailable" } }),
      ).diagnostics,
    ).toEqual({ httpStatus: 503 });
    expect(apiErrorDiagnostics(502, "<html>bad gateway</html>").diagnostics).toEqual({ httpStatus: 502 });
  });

  it("never keeps free text, even where a code is expected", () => {
    const { diagnostics } = apiErrorDiagnostics(
      400,
      body({
        status: "INVALID_ARGUMENT",
        details: [
          { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "the user wrote: I am 32" },
          { "@type": "type.googleapis.com/google.rpc.QuotaFailure", violations: [{ quotaId: "a quota with spaces" }] },
        ],
      }),
    );
    expect(diagnostics).toEqual({ httpStatus: 400, apiStatus: "INVALID_ARGUMENT" });
  });

  it.each<[string, boolean]>([
    ["This model models/gemini-2.0-flash is no longer available to new users.", true],
    ["models/gemini-1.0-pro is not found for API version v1beta, or is not supported for generateContent.", true],
    ["The model gemini-x has been retired.", true],
    ["API key not valid. Please pass a valid API key.", false],
    ["Thinking level MINIMAL is not supported for this model.", false],
  ])("tells whether %j says the model is gone: %s", (message, gone) => {
    expect(apiErrorDiagnostics(400, body({ message, status: "INVALID_ARGUMENT" })).modelGone).toBe(gone);
  });
});

describe("kindOfStatus", () => {
  it.each<[number, boolean, string, boolean]>([
    [429, false, "rate_limited", true],
    [500, false, "unavailable", true],
    [502, false, "unavailable", true],
    [503, false, "unavailable", true],
    [504, false, "unavailable", true],
    [501, false, "unavailable", false],
    [400, false, "rejected_request", false],
    [401, false, "rejected_request", false],
    [403, false, "rejected_request", false],
    [404, false, "model_unavailable", false],
    [400, true, "model_unavailable", false],
    [403, true, "model_unavailable", false],
  ])("HTTP %s (model gone: %s) is %s, retryable: %s", (status, modelGone, kind, retryable) => {
    expect(kindOfStatus(status, modelGone)).toEqual({ kind, retryable });
  });
});

describe("retryWait", () => {
  const transient = { retryable: true, diagnostics: {} };

  it("backs off exponentially with jitter, up to the cap", () => {
    const far = Number.POSITIVE_INFINITY;
    expect(retryWait(transient, 1, POLICY, 0, far, half)).toBe(750);
    expect(retryWait(transient, 2, POLICY, 0, far, half)).toBe(1500);
    expect(retryWait(transient, 1, POLICY, 0, far, () => 0)).toBe(500);
    expect(retryWait(transient, 1, POLICY, 0, far, () => 1)).toBe(1000);
    expect(retryWait(transient, 2, { ...POLICY, maxAttempts: 9 }, 0, far, () => 1)).toBe(2000);
    expect(retryWait(transient, 8, { ...POLICY, maxAttempts: 9 }, 0, far, () => 1)).toBe(8000);
  });

  it("waits exactly the API's RetryInfo delay, however long, while it fits the deadline", () => {
    const rateLimited = { retryable: true, diagnostics: { retryDelayMs: 20_000 } };
    expect(retryWait(rateLimited, 1, POLICY, 0, 35_000, half)).toBe(20_000);
    expect(retryWait(rateLimited, 1, POLICY, 0, 34_999, half)).toBeUndefined();
  });

  it("does not retry what is not retryable, nor after the last attempt, nor when no attempt would fit", () => {
    expect(retryWait({ retryable: false, diagnostics: {} }, 1, POLICY, 0, 60_000, half)).toBeUndefined();
    expect(retryWait(transient, 3, POLICY, 0, 60_000, half)).toBeUndefined();
    expect(retryWait(transient, 1, POLICY, 50_000, 60_000, half)).toBeUndefined();
    expect(retryWait(transient, 1, POLICY, 44_000, 60_000, half)).toBe(750);
  });
});

describe("answerDiagnostics", () => {
  it("reports the finish and block reasons, ids, lifecycle and tokens of an answer", () => {
    expect(
      answerDiagnostics({
        candidates: [{ finishReason: "IMAGE_SAFETY" as never, index: 0 }],
        promptFeedback: { blockReason: "OTHER" as never },
        responseId: "abc123_-XYZ",
        modelVersion: "gemini-nano-banana-2.1",
        modelStatus: { modelStage: "DEPRECATED" as never, retirementTime: "2027-03-01T00:00:00Z", message: "free text that is never kept" },
        usageMetadata: { promptTokenCount: 812, candidatesTokenCount: 1290, thoughtsTokenCount: 64 },
      } as never),
    ).toEqual({
      finishReason: "IMAGE_SAFETY",
      blockReason: "OTHER",
      responseId: "abc123_-XYZ",
      modelVersion: "gemini-nano-banana-2.1",
      modelStage: "DEPRECATED",
      retirementTime: "2027-03-01T00:00:00Z",
      promptTokens: 812,
      outputTokens: 1290,
      thoughtsTokens: 64,
    });
  });

  it("leaves out what is missing or does not look like a code or an id", () => {
    expect(
      answerDiagnostics({
        responseId: "has spaces, so it is text",
        modelVersion: "x".repeat(500),
        usageMetadata: { promptTokenCount: -1 },
      } as never),
    ).toEqual({});
  });
});
