import type { Duration } from "@upstash/ratelimit";

// Where @upstash/ratelimit's fixed window keeps its counts, computed without the library (a type import only), so
// that erasing a session's counters does not load the limiter.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Milliseconds of a window in @upstash/ratelimit's spelling ("1 m", "10 s", "1 d"). */
export function windowMs(window: Duration): number {
  const match = /^(\d+)\s?(ms|s|m|h|d)$/.exec(window);
  if (!match?.[1] || !match[2]) throw new Error(`Unsupported rate-limit window: ${window}`);
  return Number(match[1]) * (UNIT_MS[match[2]] ?? 0);
}

/** The keys that may hold an identifier's counts now: `<prefix>:<identifier>:<window number>`, this window and the last. */
export function fixedWindowKeys(prefix: string, window: Duration, identifier: string, nowMs = Date.now()): string[] {
  const current = Math.floor(nowMs / windowMs(window));
  return [current, current - 1].map((number) => `${prefix}:${identifier}:${number}`);
}
