import { randomUUID } from "node:crypto";
import { DependencyUnavailableError, MessageLimitError, SessionBusyError, SessionCompletedError, SessionNotFoundError } from "../errors.ts";
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
  /** How many times the turn's write is tried when another write to the session got in first. */
  maxAttempts?: number;
}

/** The body of POST /api/sessions/{sessionId}/messages. */
export type MessageResult = z.infer<typeof messageReplyBody>;

/**
 * Answers one user message with one call of the interviewer: the turn is computed once, on the session as read, and
 * then written (both messages, the merged profile, the count) only if the session is still at that version. When
 * another write got in first, only the write is tried again, and only while the session's interview is as the turn
 * saw it (another write such as a photo's does not touch it); when the interview moved on (another message, a
 * completion), the answer is stale and the request is refused with 409 and Retry-After, having changed nothing. The
 * write carries an id, so that a write re-sent after a lost answer is not applied twice.
 */
export async function postMessage(deps: MessageDeps, opened: Session, text: string, signal?: AbortSignal): Promise<MessageResult> {
  assertOpen(opened, deps.maxUserMessages);
  const turn = await interviewerTurn(deps.interviewer, opened, text, signal);
  const writeId = randomUUID();
  return updateSession(
    deps.store,
    opened.id,
    {
      loaded: opened,
      decide: (session) => {
        if (!session) throw new SessionNotFoundError();
        assertOpen(session, deps.maxUserMessages);
        if (session !== opened && !sameInterview(opened, session)) throw new SessionBusyError();
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
        return {
          write: { set: { profile, userMessageCount: session.userMessageCount + 1 }, append: messages, writeId },
          saved: () => result,
        };
      },
    },
    deps.maxAttempts,
  );
}

/** Whether what a turn was computed from (the history, the profile, the locale, the state) is unchanged. */
function sameInterview(read: Session, now: Session): boolean {
  return (
    now.messages.length === read.messages.length &&
    now.userMessageCount === read.userMessageCount &&
    now.status === read.status &&
    now.locale === read.locale &&
    JSON.stringify(now.profile) === JSON.stringify(read.profile)
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
