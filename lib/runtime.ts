import type { ChatProvider } from "./interview/chat-provider.ts";
import { createLocalInterviewer } from "./interview/local-interviewer.ts";
import { getConfig } from "./config.ts";
import { redisClient } from "./clients/redis.ts";
import { RedisSessionStore } from "./sessions/redis-session-store.ts";
import type { SessionStore } from "./sessions/model.ts";

// The real collaborators of the domain, built once per container. Handlers take them from here;
// tests build the domain with fakes instead.
let store: SessionStore | undefined;

/** The process-wide session store on Redis. */
export function sessionStore(): SessionStore {
  const config = getConfig();
  store ??= new RedisSessionStore(redisClient(), {
    ttlSeconds: config.SESSION_TTL_SECONDS,
    keyPrefix: `${config.REDIS_KEY_PREFIX}:${config.STAGE}`,
  });
  return store;
}

let chat: ChatProvider | undefined;

/** The interviewer chosen by CHAT_PROVIDER (local unless configured otherwise). */
export function chatProvider(): ChatProvider {
  chat ??= createLocalInterviewer();
  return chat;
}
