import { type Config, stageKeyPrefix } from "../config.ts";
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

const prefixFor = (name: string) => `${stageKeyPrefix(getConfig())}:ratelimit:${name}`;

// A session is created in a second Redis round trip after its limit is counted: when Redis hangs, waiting for the
// limiter's whole deadline and then for the store's would answer the 503 only after two deadlines. The limiter gives up
// (and lets the call through) after this long, so that the request still ends within 3 s.
const SESSION_CREATE_LIMIT_TIMEOUT_MS = 500;

/** The per-key limits (@upstash/ratelimit), by the name of their keys: how many, in which window, and when Redis fails. */
const RATE_LIMITS = {
  sessions: {
    limit: (config: Config) => config.SESSION_CREATE_LIMIT,
    window: "1 m",
    onUnavailable: "open",
    timeoutMs: SESSION_CREATE_LIMIT_TIMEOUT_MS,
  },
  messages: { limit: (config: Config) => config.MESSAGE_LIMIT, window: MESSAGE_WINDOW, onUnavailable: "open" },
  images: { limit: (config: Config) => config.IMAGE_DAILY_LIMIT, window: IMAGE_WINDOW, onUnavailable: "closed" },
} as const;

/** The per-client and per-stage caps on what costs money, by kind; chat fails open like messages, images closed. */
const SPEND_LIMITS = {
  chat: {
    perClientPerHour: (config: Config) => config.CHAT_TURNS_PER_CLIENT_PER_HOUR,
    perStagePerDay: (config: Config) => config.CHAT_TURNS_PER_DAY,
    onUnavailable: "open",
  },
  image: {
    perClientPerHour: (config: Config) => config.IMAGE_JOBS_PER_CLIENT_PER_HOUR,
    perStagePerDay: (config: Config) => config.IMAGE_JOBS_PER_DAY,
    onUnavailable: "closed",
  },
} as const;

const rateLimiters = new Map<keyof typeof RATE_LIMITS, RateLimiter>();
const spendLimiters = new Map<keyof typeof SPEND_LIMITS, SpendLimiter>();

/** The process-wide limiter of one of RATE_LIMITS, made on first use. */
function rateLimiter(name: keyof typeof RATE_LIMITS): RateLimiter {
  const made = rateLimiters.get(name);
  if (made) return made;
  const { limit, ...settings } = RATE_LIMITS[name];
  const limiter = createUpstashRateLimiter(limiterRedis(), { prefix: prefixFor(name), limit: limit(getConfig()), ...settings });
  rateLimiters.set(name, limiter);
  return limiter;
}

/** The process-wide cap of one of SPEND_LIMITS, made on first use. */
function spendLimiter(kind: keyof typeof SPEND_LIMITS): SpendLimiter {
  const made = spendLimiters.get(kind);
  if (made) return made;
  const { perClientPerHour, perStagePerDay, onUnavailable } = SPEND_LIMITS[kind];
  const config = getConfig();
  const limiter = createSpendLimiter(redisBatch(), {
    kind,
    prefix: prefixFor("spend"),
    perClientPerHour: perClientPerHour(config),
    perStagePerDay: perStagePerDay(config),
    onUnavailable,
  });
  spendLimiters.set(kind, limiter);
  return limiter;
}

/** SESSION_CREATE_LIMIT new sessions per minute per client IP. */
export const sessionCreateLimiter = (): RateLimiter => rateLimiter("sessions");

/** MESSAGE_LIMIT messages per minute per session (for the holder of its token: see lib/limits/enforce.ts). */
export const messageLimiter = (): RateLimiter => rateLimiter("messages");

/** IMAGE_DAILY_LIMIT new image jobs per session a day; fails closed, since a generation costs money. */
export const imageRateLimiter = (): RateLimiter => rateLimiter("images");

/** CHAT_TURNS_PER_CLIENT_PER_HOUR per client address and CHAT_TURNS_PER_DAY for the stage. */
export const chatSpendLimiter = (): SpendLimiter => spendLimiter("chat");

/** IMAGE_JOBS_PER_CLIENT_PER_HOUR per client address and IMAGE_JOBS_PER_DAY for the stage; fails closed. */
export const imageSpendLimiter = (): SpendLimiter => spendLimiter("image");

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
