import { checkHealth } from "../lib/health.ts";
import { httpHandler } from "../lib/http/handler.ts";
import { healthRoute } from "../lib/schemas/routes.ts";
import { logger } from "../lib/observability/logger.ts";
import { healthChecks, healthTimeoutMs } from "../lib/wiring/health.ts";

export const handler = httpHandler(healthRoute, async () => {
  const report = await checkHealth(healthChecks(), healthTimeoutMs());
  if (report.status !== "ok") logger.warn("not ready", { checks: report.checks });
  if (report.status === "ok") return { status: 200, body: report };
  return { status: 503, body: report, headers: { "Retry-After": "5" } };
});
