import { describe, expect, it } from "vitest";
import { SessionNotFoundError } from "../../lib/errors.ts";
import { createSession, openSession, sessionView } from "../../lib/sessions/sessions.ts";
import { hashToken } from "../../lib/sessions/tokens.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

const clock = () => new Date("2026-11-22T01:02:03.000Z");
const interviewer = {
  firstQuestion: async ({ locale }: { locale: "ja" | "en" }) => (locale === "en" ? "How old are you?" : "何歳ですか？"),
};

describe("createSession", () => {
  it("stores the hash of the token, never the token, and opens with the first question", async () => {
    // Prepare
    const store = new MemorySessionStore(clock);
    // Act
    const created = await createSession({ store, interviewer, now: clock }, { locale: "en" });
    // Assess
    expect(created).toMatchObject({ status: "collecting", createdAt: "2026-11-22T01:02:03.000Z", reply: "How old are you?" });
    const stored = store.sessions.get(created.sessionId);
    expect(stored?.tokenHash).toBe(hashToken(created.sessionToken));
    expect(JSON.stringify(stored)).not.toContain(created.sessionToken);
    expect(stored?.messages).toEqual([{ role: "assistant", text: "How old are you?", at: "2026-11-22T01:02:03.000Z" }]);
    expect(stored?.locale).toBe("en");
  });

  it("gives every session its own id and token", async () => {
    const store = new MemorySessionStore(clock);
    const a = await createSession({ store, interviewer }, { locale: "ja" });
    const b = await createSession({ store, interviewer }, { locale: "ja" });
    expect(a.sessionId).not.toBe(b.sessionId);
    expect(a.sessionToken).not.toBe(b.sessionToken);
    expect(store.sessions.size).toBe(2);
  });
});

describe("openSession", () => {
  it("opens a session for its token and refuses a wrong token and an unknown id alike", async () => {
    const store = new MemorySessionStore(clock);
    const created = await createSession({ store, interviewer }, { locale: "ja" });

    await expect(openSession(store, created.sessionId, created.sessionToken)).resolves.toMatchObject({ id: created.sessionId });
    const wrongToken = await openSession(store, created.sessionId, "not-the-token").catch((error: unknown) => error);
    const unknownId = await openSession(store, "AAAAAAAAAAAAAAAAAAAAAA", created.sessionToken).catch((error: unknown) => error);
    const malformedId = await openSession(store, "../x", created.sessionToken).catch((error: unknown) => error);
    for (const error of [wrongToken, unknownId, malformedId]) {
      expect(error).toBeInstanceOf(SessionNotFoundError);
      expect(error).toMatchObject({ status: 404, code: "session_not_found" });
    }
  });
});

describe("sessionView", () => {
  it("shows the public shape and hides the token hash and object keys", async () => {
    const store = new MemorySessionStore(clock);
    const created = await createSession({ store, interviewer }, { locale: "ja" });
    const session = await openSession(store, created.sessionId, created.sessionToken);
    session.photo = { status: "ready", contentType: "image/png", key: "sessions/x/photos/user", size: 10, requestedAt: "t" };

    const view = sessionView(session, { photo: "http://s3.local/signed" });

    expect(Object.keys(view).sort()).toEqual(
      [
        "createdAt",
        "expiresAt",
        "images",
        "locale",
        "messages",
        "missingFields",
        "photo",
        "profile",
        "profileComplete",
        "sessionId",
        "status",
        "updatedAt",
      ].sort(),
    );
    expect(view.profileComplete).toBe(false);
    expect(view.missingFields[0]).toBe("age");
    expect(view.photo).toEqual({ status: "ready", contentType: "image/png", size: 10, url: "http://s3.local/signed" });
    expect(view.images).toEqual({ partner: null, child: null });
    expect(JSON.stringify(view)).not.toMatch(/tokenHash|sessions\/x\/photos|version/);
  });
});
