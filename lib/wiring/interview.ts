import type { Config } from "../config.ts";
import type { ChatProvider } from "../interview/chat-provider.ts";
import { createLocalInterviewer, localFirstQuestion } from "../interview/local-interviewer.ts";
import type { CreateSessionDeps } from "../sessions/sessions.ts";
import type { MessageDeps } from "../sessions/turn.ts";
import { getConfig } from "./config.ts";
import { requireSecret } from "./secrets.ts";
import { sessionStore } from "./sessions.ts";
import { geminiChatSwitch } from "./switches.ts";
import { describeError, logger } from "../observability/logger.ts";
import type { RuntimeSwitch } from "../switches.ts";

let chat: ChatProvider | undefined;

/**
 * The interviewer chosen by CHAT_PROVIDER (local unless configured otherwise). Gemini answers only while the stage's
 * Gemini chat switch is on (lib/switches.ts): off, the local interviewer does.
 */
export function chatProvider(): ChatProvider {
  const config = getConfig();
  chat ??=
    config.CHAT_PROVIDER === "gemini" ? switchedInterviewer(geminiChatSwitch(), lazyGeminiInterviewer(config)) : createLocalInterviewer();
  return chat;
}

/**
 * Gemini while the switch is on, the local interviewer while it is off, and also while the switch cannot be read
 * for the first time: the local interviewer costs nothing and collects the same profile fields (less fluently), so a
 * session in the middle of its interview goes on rather than being refused.
 */
export function switchedInterviewer(
  geminiOn: RuntimeSwitch,
  gemini: ChatProvider,
  local: ChatProvider = createLocalInterviewer(),
): ChatProvider {
  const pick = async (): Promise<ChatProvider> => {
    try {
      return (await geminiOn.isOn()) ? gemini : local;
    } catch (error) {
      logger.warn("Gemini chat switch unreadable; the local interviewer answers", describeError(error));
      return local;
    }
  };
  return {
    firstQuestion: async (input) => (await pick()).firstQuestion(input),
    reply: async (input, signal) => (await pick()).reply(input, signal),
  };
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
