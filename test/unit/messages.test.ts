import { describe, expect, it } from "vitest";
import { ConflictError, DependencyUnavailableError } from "../../lib/errors.ts";
import { ChatProviderError, type ChatProvider } from "../../lib/interview/chat-provider.ts";
import { createLocalInterviewer } from "../../lib/interview/local-interviewer.ts";
import { postMessage } from "../../lib/sessions/turn.ts";
import { createSession } from "../../lib/sessions/sessions.ts";
import type { SaveResult, SessionChange } from "../../lib/sessions/model.ts";
import { MemorySessionStore } from "../fakes/memory-session-store.ts";

async function openedSession(store: MemorySessionStore, locale: "ja" | "en" = "en") {
  const created = await createSession({ store, interviewer: createLocalInterviewer() }, { locale });
  return (await store.load(created.sessionId))!;
}

const deps = (store: MemorySessionStore, interviewer: ChatProvider = createLocalInterviewer()) => ({
  store,
  interviewer,
  maxUserMessages: 100,
});

describe("postMessage", () => {
  it("stores the user message and the reply, merges what was extracted and counts the message", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);

    const result = await postMessage(deps(store), session, "I'm 32");

    expect(result).toMatchObject({ extracted: ["age"], profile: { age: 32 }, profileComplete: false, status: "collecting" });
    expect(result.missingFields[0]).toBe("gender");
    const stored = await store.load(session.id);
    expect(stored?.profile).toEqual({ age: 32 });
    expect(stored?.userMessageCount).toBe(1);
    expect(stored?.messages.map((m) => [m.role, m.text])).toEqual([
      ["assistant", session.messages[0]!.text],
      ["user", "I'm 32"],
      ["assistant", result.reply],
    ]);
  });

  it("stores the exchange but no field for an answer it cannot use", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    const result = await postMessage(deps(store), session, "banana");
    expect(result.extracted).toEqual([]);
    expect((await store.load(session.id))?.profile).toEqual({});
  });

  it("recomputes the turn on the fresh session when another write got in first", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    // Another request answers the age question between our read and our write.
    await postMessage(deps(store), session, "I'm 40");

    const result = await postMessage(deps(store), session, "female");

    expect(result.extracted).toEqual(["gender"]);
    const stored = await store.load(session.id);
    expect(stored?.profile).toEqual({ age: 40, gender: "female" });
    expect(stored?.userMessageCount).toBe(2);
    expect(stored?.messages.filter((m) => m.role === "user").map((m) => m.text)).toEqual(["I'm 40", "female"]);
  });

  it("gives up with 409 session_busy and Retry-After when it keeps losing, having changed nothing", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    const before = structuredClone(await store.load(session.id));
    const alwaysLosing = Object.assign(Object.create(store) as MemorySessionStore, {
      save: async (_id: string, _change: SessionChange): Promise<SaveResult> => ({ outcome: "conflict" }),
    });

    const error = await postMessage({ ...deps(store), store: alwaysLosing, maxAttempts: 3 }, session, "I'm 32").catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ status: 409, code: "session_busy", headers: { "Retry-After": "1" } });
    expect(await store.load(session.id)).toEqual(before);
  });

  it("refuses messages to a completed session and past the message cap", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    await expect(postMessage(deps(store), { ...session, status: "completed" }, "hi")).rejects.toMatchObject({
      status: 409,
      code: "session_completed",
    });
    await expect(postMessage({ ...deps(store), maxUserMessages: 3 }, { ...session, userMessageCount: 3 }, "hi")).rejects.toMatchObject({
      status: 409,
      code: "message_limit_reached",
    });
    expect((await store.load(session.id))?.messages).toHaveLength(1);
  });

  it("answers 503 when the chat provider is down, storing nothing", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    const down: ChatProvider = {
      firstQuestion: async () => "q",
      reply: async () => {
        throw new ChatProviderError("chat_provider_unavailable", "model unreachable");
      },
    };
    await expect(postMessage(deps(store, down), session, "I'm 32")).rejects.toBeInstanceOf(DependencyUnavailableError);
    expect((await store.load(session.id))?.messages).toHaveLength(1);
  });
});
