/**
 * Runs the development Upstash REST endpoint: `npx tsx dev/upstash-rest-cli.ts`.
 *
 * Environment: UPSTASH_LOCAL_PORT (default 8079, 0 = any free port), UPSTASH_REDIS_REST_TOKEN (default
 * "local-dev-token"), optional UPSTASH_LOCAL_ENGINE ("auto" | "redis-server" | "memory") and UPSTASH_LOCAL_REDIS_URL
 * (use an existing Redis). Stops cleanly, with its redis-server, on SIGINT/SIGTERM.
 */
import { startUpstashRest } from "./upstash-rest.ts";
import type { UpstashRestOptions } from "./upstash-rest.ts";

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 8079;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`UPSTASH_LOCAL_PORT must be a port number, got "${raw}"`);
  return port;
}

function parseEngine(raw: string | undefined): UpstashRestOptions["engine"] {
  if (raw === undefined || raw === "") return "auto";
  if (raw === "auto" || raw === "redis-server" || raw === "memory") return raw;
  throw new Error(`UPSTASH_LOCAL_ENGINE must be auto, redis-server or memory, got "${raw}"`);
}

/** Starts the endpoint from environment variables and stops it on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const redisUrl = process.env.UPSTASH_LOCAL_REDIS_URL;
  const server = await startUpstashRest({
    port: parsePort(process.env.UPSTASH_LOCAL_PORT),
    token: process.env.UPSTASH_REDIS_REST_TOKEN || "local-dev-token",
    engine: parseEngine(process.env.UPSTASH_LOCAL_ENGINE),
    ...(redisUrl ? { redisUrl } : {}),
  });
  console.log(`Upstash REST dev endpoint listening on ${server.url} (engine: ${server.engine})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`error while stopping after ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
