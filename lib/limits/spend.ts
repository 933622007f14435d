import { ClientLimitError, DependencyUnavailableError, StageBudgetError, type SpendKind } from "../errors.ts";
import { describeError, logger } from "../observability/logger.ts";
import { countMetric } from "../observability/metrics.ts";
import type { LimiterFailureMode } from "./rate-limiter.ts";
import { clientAddressKey } from "./client-address.ts";

// What costs money (an image job, a chat turn) is counted twice at once: against the client address's allowance for
// the hour and against the stage's budget for the UTC day. One Lua script counts both or neither, in one round trip:
// @upstash/ratelimit counts one key per call, and counting the stage budget in a second call would either cost a
// second round trip (a message must stay at two) or let a client already refused by its own cap go on spending
// everyone's budget. With both or neither, what one address takes from the stage's day is at most its own cap.

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * KEYS: the counters; ARGV: for each counter its limit and its time to live in ms. Refuses (returning the 1-based
 * index of the first full counter) without counting anything when one is full; otherwise counts one on each and
 * returns 0 followed by the new counts. A counter gets its time to live when it is made, so every key expires.
 */
export const SPEND_SCRIPT = `
for i = 1, #KEYS do
  local used = tonumber(redis.call("GET", KEYS[i]) or "0")
  if used >= tonumber(ARGV[2 * i - 1]) then return { i } end
end
local answer = { 0 }
for i = 1, #KEYS do
  local count = redis.call("INCR", KEYS[i])
  if count == 1 then redis.call("PEXPIRE", KEYS[i], ARGV[2 * i]) end
  answer[i + 1] = count
end
return answer
`;

/** Runs a Lua script in Redis (the process-wide batch's `eval`, so that it joins the request's round trip). */
export interface ScriptRunner {
  eval<TData = unknown>(script: string, keys: string[], args: unknown[]): Promise<TData>;
}

export interface SpendLimiterOptions {
  kind: SpendKind;
  /** Key prefix in Redis, e.g. `hera:dev:spend`. */
  prefix: string;
  perClientPerHour: number;
  perStagePerDay: number;
  /** `closed` refuses with a 503 when Redis cannot answer (image jobs); `open` lets the call through. */
  onUnavailable: LimiterFailureMode;
  now?: () => number;
}

/** Counts what one call costs against its client's hourly allowance and the stage's daily budget. */
export interface SpendLimiter {
  /** Counts one; refuses with ClientLimitError (429) or StageBudgetError (503), each with Retry-After. */
  spend(sourceIp: string): Promise<void>;
}

/** The Redis keys a call is counted under now: the client's hour, then the stage's UTC day. */
export function spendKeys(prefix: string, kind: SpendKind, sourceIp: string, nowMs: number): { client: string; stage: string } {
  return {
    client: `${prefix}:${kind}:client:${clientAddressKey(sourceIp)}:${Math.floor(nowMs / HOUR_MS)}`,
    stage: `${prefix}:${kind}:stage:${Math.floor(nowMs / DAY_MS)}`,
  };
}

const untilWindowEnds = (nowMs: number, windowMs: number) => windowMs - (nowMs % windowMs);

/** A SpendLimiter over Redis (SPEND_SCRIPT); emits the stage's count so far as a metric, for the alarm before the cap. */
export function createSpendLimiter(redis: ScriptRunner, options: SpendLimiterOptions): SpendLimiter {
  const now = options.now ?? (() => Date.now());
  const usedMetric = options.kind === "image" ? "ImageJobsToday" : "ChatTurnsToday";
  return {
    async spend(sourceIp) {
      const nowMs = now();
      const keys = spendKeys(options.prefix, options.kind, sourceIp, nowMs);
      const clientTtl = untilWindowEnds(nowMs, HOUR_MS);
      const stageTtl = untilWindowEnds(nowMs, DAY_MS);
      let answer: unknown;
      try {
        answer = await redis.eval(
          SPEND_SCRIPT,
          [keys.client, keys.stage],
          [options.perClientPerHour, clientTtl, options.perStagePerDay, stageTtl],
        );
      } catch (error) {
        if (options.onUnavailable === "closed") throw new DependencyUnavailableError("rate_limiter", error);
        logger.warn("spend limiter unavailable; letting the call through", { kind: options.kind, ...describeError(error) });
        return;
      }
      const [refused, , stageCount] = Array.isArray(answer) ? (answer as number[]) : [];
      if (refused === 1) {
        countMetric("ClientLimited");
        throw new ClientLimitError(options.kind, options.perClientPerHour, clientTtl / 1000);
      }
      if (refused === 2) {
        countMetric(options.kind === "image" ? "ImageBudgetExhausted" : "ChatBudgetExhausted");
        throw new StageBudgetError(options.kind, stageTtl / 1000);
      }
      if (typeof stageCount === "number") countMetric(usedMetric, stageCount);
    },
  };
}
