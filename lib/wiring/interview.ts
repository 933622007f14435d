import type { Config } from "../config.ts";
import type { ChatProvider } from "../interview/chat-provider.ts";
import { createLocalInterviewer, localFirstQuestion } from "../interview/local-interviewer.ts";
import type { CreateSessionDeps } from "../sessions/sessions.ts";
import type { MessageDeps } from "../sessions/turn.ts";
import { getConfig } from "./config.ts";
import { requireSecret } from "./secrets.ts";
import { sessionStore } from "./sessions.ts";

let chat: ChatProvider | undefined;

/** The interviewer chosen by CHAT_PROVIDER (local unless configured otherwise). */
export function chatProvider(): ChatProvider {
  const config = getConfig();
  chat ??= config.CHAT_PROVIDER === "gemini" ? lazyGeminiInterviewer(config) : createLocalInterviewer();
  return chat;
}

// The Gemini SDK is evaluated only when a deployment selects it, so the local default never pays its start-up cost.
function lazyGeminiInterviewer(config: Config): ChatProvider {
  const apiKey = requireSecret("GEMINI_API_KEY");
  const provider = import("../interview/gemini-interviewer.ts").then(({ createGeminiInterviewer }) =>
    createGeminiInterviewer({ apiKey, model: config.CHAT_MODEL, baseUrl: config.GEMINI_BASE_URL }),
  );
  return {
    firstQuestion: async (input) => (await provider).firstQuestion(input),
    reply: async (input, signal) => (await provider).reply(input, signal),
  };
}

/**
 * What opening a session needs: the store and the interviewer's first question. Every interviewer opens with the local
 * one's deterministic question (no model call), so createSession never loads the Gemini SDK, nor needs its key.
 */
export function createSessionDeps(): CreateSessionDeps {
  return { store: sessionStore(), interviewer: { firstQuestion: async (input) => localFirstQuestion(input) } };
}

/** What answering a message needs: the store, the interviewer and the cap on user messages. */
export function messageDeps(): MessageDeps {
  return { store: sessionStore(), interviewer: chatProvider(), maxUserMessages: getConfig().MAX_USER_MESSAGES };
}
