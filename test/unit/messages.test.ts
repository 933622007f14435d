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

  /** The local interviewer, counting the turns it is asked for (the provider calls a counted message costs). */
  function countingInterviewer(): ChatProvider & { calls: number } {
    const local = createLocalInterviewer();
    const counting = {
      calls: 0,
      firstQuestion: local.firstQuestion,
      reply: async (...args: Parameters<ChatProvider["reply"]>) => {
        counting.calls++;
        return local.reply(...args);
      },
    };
    return counting;
  }

  it("calls the provider once when its write loses to one that left the interview as it was, and writes the turn", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    const interviewer = countingInterviewer();
    // Another request (a photo grant) writes between our read and our write: the turn is still right.
    await store.save(session.id, { set: { photo: { status: "pending", contentType: "image/png", key: "k", requestedAt: "t" } } });

    const result = await postMessage(deps(store, interviewer), session, "I'm 32");

    expect(interviewer.calls).toBe(1);
    expect(result.extracted).toEqual(["age"]);
    const stored = await store.load(session.id);
    expect(stored?.profile).toEqual({ age: 32 });
    expect(stored?.photo?.status).toBe("pending");
    expect(stored?.messages.filter((m) => m.role === "user").map((m) => m.text)).toEqual(["I'm 32"]);
  });

  it("answers 409 session_busy, calling the provider once, when another message got in first: its answer is stale", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    // Another request answers the age question between our read and our write.
    await postMessage(deps(store), session, "I'm 40");
    const before = structuredClone(await store.load(session.id));
    const interviewer = countingInterviewer();

    const error = await postMessage(deps(store, interviewer), session, "female").catch((e: unknown) => e);

    expect(interviewer.calls).toBe(1);
    expect(error).toMatchObject({ status: 409, code: "session_busy", headers: { "Retry-After": "1" } });
    expect(await store.load(session.id)).toEqual(before);
  });

  it("does not apply a write twice when it is re-sent after its answer was lost", async () => {
    const store = new MemorySessionStore();
    const session = await openedSession(store);
    const interviewer = countingInterviewer();
    // The store applies the write, then the answer is lost and the client sends the same write again.
    const resending = Object.assign(Object.create(store) as MemorySessionStore, {
      save: async (id: string, change: SessionChange): Promise<SaveResult> => {
        await store.save(id, change);
        return store.save(id, change);
      },
    });

    const result = await postMessage({ ...deps(store, interviewer), store: resending }, session, "I'm 32");

    expect(result.extracted).toEqual(["age"]);
    expect(interviewer.calls).toBe(1);
    const stored = await store.load(session.id);
    expect(stored?.userMessageCount).toBe(1);
    expect(stored?.messages).toHaveLength(3);
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
