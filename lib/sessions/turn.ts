import { DependencyUnavailableError, MessageLimitError, SessionCompletedError, SessionNotFoundError } from "../errors.ts";
import { currentTime, type Clocked } from "../clock.ts";
import type { Session, SessionMessage, SessionStore } from "./model.ts";
import { updateSession } from "./optimistic.ts";
import { ChatProviderError, type ChatProvider } from "../interview/chat-provider.ts";
import { missingFields } from "../interview/profile-fields.ts";
import { mergeProfile } from "../interview/profile.ts";
import type * as z from "../schemas/zod.ts";
import type { messageReplyBody } from "../schemas/responses.ts";

export interface MessageDeps extends Clocked {
  store: SessionStore;
  interviewer: ChatProvider;
  maxUserMessages: number;
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
  return updateSession(
    deps.store,
    opened.id,
    {
      loaded: opened,
      decide: async (session) => {
        if (!session) throw new SessionNotFoundError();
        assertOpen(session, deps.maxUserMessages);
        const turn = await interviewerTurn(deps.interviewer, session, text, signal);
        const profile = mergeProfile(session.profile, turn.extracted);
        const messages: SessionMessage[] = [
          { role: "user", text, at: currentTime(deps).toISOString() },
          { role: "assistant", text: turn.reply, at: currentTime(deps).toISOString() },
        ];
        const missing = missingFields(profile);
        const result: MessageResult = {
          reply: turn.reply,
          extracted: turn.extractedFields,
          profile,
          missingFields: missing,
          profileComplete: missing.length === 0,
          status: session.status,
        };
        return { write: { set: { profile, userMessageCount: session.userMessageCount + 1 }, append: messages }, saved: () => result };
      },
    },
    deps.maxAttempts,
  );
}

function assertOpen(session: Session, maxUserMessages: number): void {
  if (session.status === "completed") {
    throw new SessionCompletedError();
  }
  if (session.userMessageCount >= maxUserMessages) {
    throw new MessageLimitError(maxUserMessages);
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
