import type * as z from "./schemas/zod.ts";
import type { checkStatus, healthReportBody } from "./schemas/responses.ts";

export type CheckStatus = z.infer<typeof checkStatus>;

/** The body of GET /api/health. */
export type HealthReport = z.infer<typeof healthReportBody>;

/** Runs every readiness check in parallel, each cut off at the deadline; any failure makes the whole report unavailable. */
export async function checkHealth(
  checks: Record<string, (signal: AbortSignal) => Promise<unknown>>,
  timeoutMs: number,
): Promise<HealthReport> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      const started = performance.now();
      const signal = AbortSignal.timeout(timeoutMs);
      const status = await Promise.race([
        check(signal).then(() => "ok" as const),
        new Promise<"unavailable">((resolve) => signal.addEventListener("abort", () => resolve("unavailable"), { once: true })),
      ]).catch(() => "unavailable" as const);
      return [name, { status, latencyMs: Math.round(performance.now() - started) }] as const;
    }),
  );
  const report = Object.fromEntries(entries);
  const healthy = entries.every(([, check]) => check.status === "ok");
  return { status: healthy ? "ok" : "unavailable", checks: report };
}
