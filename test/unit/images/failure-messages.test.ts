import { describe, expect, it } from "vitest";
import { imageFailureMessage } from "../../../lib/sessions/failure-messages.ts";
import type { ImageState, Locale, Session } from "../../../lib/sessions/model.ts";
import { sessionView } from "../../../lib/sessions/sessions.ts";
import { t } from "../../../web/src/i18n.ts";

function sessionWith(locale: Locale, child: ImageState | null, partner: ImageState | null = null): Session {
  return {
    id: "AAAAAAAAAAAAAAAAAAAAAA",
    tokenHash: "h",
    status: "collecting",
    locale,
    createdAt: "2026-12-01T00:00:00.000Z",
    updatedAt: "2026-12-01T00:00:00.000Z",
    expiresAt: "2026-12-02T00:00:00.000Z",
    profile: {},
    messages: [],
    userMessageCount: 0,
    photo: null,
    images: { partner, child },
    version: 1,
  };
}

const refused: ImageState = {
  status: "failed",
  jobId: "job-1",
  inputsHash: "h",
  error: "provider_refused",
  requestedAt: "t",
  finishedAt: "t",
};

describe("a failed picture, in words", () => {
  it("says in the session's language that a refusal is a refusal, the real-photo child case most of all, and not to retry blindly", () => {
    const ja = imageFailureMessage("provider_refused", "ja");
    const en = imageFailureMessage("provider_refused", "en");

    expect(ja).toContain("実在の大人の写真から子ども");
    expect(ja).toContain("結果は変わらない");
    expect(ja).not.toContain("もう一度お試しください");
    expect(en).toContain("photo of a real adult");
    expect(en).toContain("will most likely be the same");
    expect(en).not.toMatch(/please try again/i);
  });

  it("puts the message beside the code in the session view, in the session's locale", () => {
    expect(sessionView(sessionWith("ja", refused)).images.child).toEqual({
      status: "failed",
      jobId: "job-1",
      error: "provider_refused",
      message: imageFailureMessage("provider_refused", "ja"),
    });
    expect(sessionView(sessionWith("en", refused)).images.child?.message).toBe(imageFailureMessage("provider_refused", "en"));
  });

  it("has words for the other failures too, and none for a code it does not know", () => {
    for (const code of [
      "provider_rate_limited",
      "provider_unavailable",
      "provider_rejected_request",
      "model_unavailable",
      "generation_timeout",
      "provider_bad_response",
      "internal_error",
    ]) {
      expect(imageFailureMessage(code, "ja"), code).toMatch(/[ぁ-んァ-ン一-龠]/);
      expect(imageFailureMessage(code, "en"), code).toMatch(/^[A-Z]/);
    }
    const unknown: ImageState = { ...refused, error: "some_future_code" };
    expect(sessionView(sessionWith("en", unknown)).images.child).toEqual({ status: "failed", jobId: "job-1", error: "some_future_code" });
    expect(
      sessionView(sessionWith("en", null, { status: "pending", jobId: "job-2", inputsHash: "h", requestedAt: "t" })).images.partner,
    ).toEqual({ status: "pending", jobId: "job-2" });
  });

  it("reads the same on the demo page as in the API", () => {
    expect(t("ja", "image.refused")).toBe(imageFailureMessage("provider_refused", "ja"));
    expect(t("en", "image.refused")).toBe(imageFailureMessage("provider_refused", "en"));
  });
});
