import { stageKeyPrefix } from "../config.ts";
import { perSessionLimit, sessionLimitKey, type SessionLimit } from "../limits/enforce.ts";
import { fixedWindowKeys } from "../limits/windows.ts";
import { createUpstashRateLimiter, type RateLimiter } from "../limits/rate-limiter.ts";
import { createSpendLimiter, type SpendLimiter } from "../limits/spend.ts";
import { getConfig } from "./config.ts";
import { limiterRedis, redisBatch } from "./redis.ts";

// Session creation and messages fail open: they cost nothing outside Redis, and with Redis down the
// request fails at the session store anyway. Image generation fails closed: it costs money.
const MESSAGE_WINDOW = "1 m";
const IMAGE_WINDOW = "1 d";

let sessions: RateLimiter | undefined;
let messages: RateLimiter | undefined;
let images: RateLimiter | undefined;
let imageSpend: SpendLimiter | undefined;
let chatSpend: SpendLimiter | undefined;

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

/**
 * CHAT_TURNS_PER_CLIENT_PER_HOUR per client address and CHAT_TURNS_PER_DAY for the stage. Fails open, like the
 * message limit: with Redis down the session read fails anyway.
 */
export function chatSpendLimiter(): SpendLimiter {
  const config = getConfig();
  chatSpend ??= createSpendLimiter(redisBatch(), {
    kind: "chat",
    prefix: prefixFor("spend"),
    perClientPerHour: config.CHAT_TURNS_PER_CLIENT_PER_HOUR,
    perStagePerDay: config.CHAT_TURNS_PER_DAY,
    onUnavailable: "open",
  });
  return chatSpend;
}

/**
 * The limits of a message, counted as the session is opened and in the same Redis round trip: the session's own
 * (per minute), the client address's (per hour) and the stage's (per day).
 */
export function messageLimit(sourceIp: string): SessionLimit {
  const perSession = perSessionLimit(messageLimiter());
  const chat = chatSpendLimiter();
  return async (sessionId, tokenHash) => {
    await Promise.all([perSession(sessionId, tokenHash), chat.spend(sourceIp)]);
  };
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

/** IMAGE_JOBS_PER_CLIENT_PER_HOUR per client address and IMAGE_JOBS_PER_DAY for the stage; fails closed. */
export function imageSpendLimiter(): SpendLimiter {
  const config = getConfig();
  imageSpend ??= createSpendLimiter(redisBatch(), {
    kind: "image",
    prefix: prefixFor("spend"),
    perClientPerHour: config.IMAGE_JOBS_PER_CLIENT_PER_HOUR,
    perStagePerDay: config.IMAGE_JOBS_PER_DAY,
    onUnavailable: "closed",
  });
  return imageSpend;
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
