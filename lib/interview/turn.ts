import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, DependencyUnavailableError, SessionNotFoundError } from "../http/errors.ts";
import type * as z from "../schemas/zod.ts";
import type { messageReplyBody } from "../schemas/responses.ts";
import type { Session, SessionMessage, SessionStore } from "../sessions/model.ts";
import { ChatProviderError, type ChatProvider } from "./chat-provider.ts";
import { mergeProfile, missingFields } from "./profile.ts";

export interface MessageDeps {
  store: SessionStore;
  interviewer: ChatProvider;
  maxUserMessages: number;
  now?: () => Date;
  /** How many times a turn is recomputed when another write to the session got in first. */
  maxAttempts?: number;
}

/** The body of POST /api/sessions/{sessionId}/messages. */
export type MessageResult = z.infer<typeof messageReplyBody>;

/**
 * Answers one user message: the interviewer's turn is computed on the session as read, then written
 * (both messages, the merged profile, the count) only if the session is still at that version. When
 * another write got in first, the turn is recomputed on the fresh session; after `maxAttempts` the
 * request is refused with 409 and Retry-After, having changed nothing.
 */
export async function postMessage(deps: MessageDeps, opened: Session, text: string, signal?: AbortSignal): Promise<MessageResult> {
  const now = deps.now ?? (() => new Date());
  const attempts = deps.maxAttempts ?? 8;
  let session: Session | null = opened;
  for (let attempt = 0; attempt < attempts; attempt++) {
    if (!session) throw new SessionNotFoundError();
    assertOpen(session, deps.maxUserMessages);
    const turn = await interviewerTurn(deps.interviewer, session, text, signal);
    const profile = mergeProfile(session.profile, turn.extracted);
    const userAt = now().toISOString();
    const messages: SessionMessage[] = [
      { role: "user", text, at: userAt },
      { role: "assistant", text: turn.reply, at: now().toISOString() },
    ];
    const saved = await deps.store.save(session.id, {
      expectedVersion: session.version,
      set: { profile, userMessageCount: session.userMessageCount + 1 },
      append: messages,
    });
    if (saved.outcome === "missing") throw new SessionNotFoundError();
    if (saved.outcome === "saved") {
      const missing = missingFields(profile);
      return {
        reply: turn.reply,
        extracted: turn.extractedFields,
        profile,
        missingFields: missing,
        profileComplete: missing.length === 0,
        status: session.status,
      };
    }
    // Jittered back-off so that racing writers do not collide again in lockstep.
    await sleep(10 + Math.floor(Math.random() * 40 * (attempt + 1)));
    session = await deps.store.load(session.id);
  }
  throw new ConflictError("session_busy", "The session is being changed by another request; try again.", { retryAfterSeconds: 1 });
}

function assertOpen(session: Session, maxUserMessages: number): void {
  if (session.status === "completed") {
    throw new ConflictError("session_completed", "This session is completed and takes no more messages.");
  }
  if (session.userMessageCount >= maxUserMessages) {
    throw new ConflictError("message_limit_reached", `A session takes at most ${maxUserMessages} messages.`, {
      details: { limit: maxUserMessages },
    });
  }
}

async function interviewerTurn(interviewer: ChatProvider, session: Session, text: string, signal?: AbortSignal) {
  try {
    return await interviewer.reply(
      {
        locale: session.locale,
        profile: session.profile,
        history: session.messages.map(({ role, text: said }) => ({ role, text: said })),
        text,
      },
      signal,
    );
  } catch (error) {
    if (error instanceof ChatProviderError) throw new DependencyUnavailableError("chat", error);
    throw error;
  }
}
