import { stageKeyPrefix } from "../config.ts";
import { perSessionLimit, sessionLimitKey, type SessionLimit } from "../limits/enforce.ts";
import { fixedWindowKeys } from "../limits/windows.ts";
import { createUpstashRateLimiter, type RateLimiter } from "../limits/rate-limiter.ts";
import { getConfig } from "./config.ts";
import { limiterRedis } from "./redis.ts";

// Session creation and messages fail open: they cost nothing outside Redis, and with Redis down the
// request fails at the session store anyway. Image generation fails closed: it costs money.
const MESSAGE_WINDOW = "1 m";
const IMAGE_WINDOW = "1 d";

let sessions: RateLimiter | undefined;
let messages: RateLimiter | undefined;
let images: RateLimiter | undefined;

const prefixFor = (name: string) => `${stageKeyPrefix(getConfig())}:ratelimit:${name}`;

// A session is created in a second Redis round trip after its limit is counted: when Redis hangs, waiting for the
// limiter's whole deadline and then for the store's would answer the 503 only after two deadlines. The limiter gives up
// (and lets the call through) after this long, so that the request still ends within 3 s.
const SESSION_CREATE_LIMIT_TIMEOUT_MS = 500;

/** SESSION_CREATE_LIMIT new sessions per minute per client IP. */
export function sessionCreateLimiter(): RateLimiter {
  sessions ??= createUpstashRateLimiter(limiterRedis(), {
    prefix: prefixFor("sessions"),
    limit: getConfig().SESSION_CREATE_LIMIT,
    window: "1 m",
    onUnavailable: "open",
    timeoutMs: SESSION_CREATE_LIMIT_TIMEOUT_MS,
  });
  return sessions;
}

/** MESSAGE_LIMIT messages per minute per session (for the holder of its token: see lib/limits/enforce.ts). */
export function messageLimiter(): RateLimiter {
  messages ??= createUpstashRateLimiter(limiterRedis(), {
    prefix: prefixFor("messages"),
    limit: getConfig().MESSAGE_LIMIT,
    window: MESSAGE_WINDOW,
    onUnavailable: "open",
  });
  return messages;
}

/** The message limit of a session, counted as the session is opened. */
export function messageLimit(): SessionLimit {
  return perSessionLimit(messageLimiter());
}

/** IMAGE_DAILY_LIMIT new image jobs per session a day; fails closed, since a generation costs money. */
export function imageRateLimiter(): RateLimiter {
  images ??= createUpstashRateLimiter(limiterRedis(), {
    prefix: prefixFor("images"),
    limit: getConfig().IMAGE_DAILY_LIMIT,
    window: IMAGE_WINDOW,
    onUnavailable: "closed",
  });
  return images;
}

/**
 * The Redis keys of a session's own counters (the owner's messages, the images), erased with the session. A wrong
 * token's message bucket is a key of its own that cannot be listed without a scan; it expires with its minute.
 */
export function sessionLimitKeys(sessionId: string, ownerTokenHash: string): string[] {
  return [
    ...fixedWindowKeys(prefixFor("messages"), MESSAGE_WINDOW, sessionLimitKey(sessionId, ownerTokenHash)),
    ...fixedWindowKeys(prefixFor("images"), IMAGE_WINDOW, sessionId),
  ];
}
