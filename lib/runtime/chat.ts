import { getConfig, type Config } from "../config.ts";
import type { ChatProvider } from "../interview/chat-provider.ts";
import { createLocalInterviewer } from "../interview/local-interviewer.ts";
import { requireSecret } from "../secrets.ts";

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
