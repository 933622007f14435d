// The local stack in a process of its own, forked by bench/run.ts: its process tree (this process with the Upstash
// REST endpoint, dynalite and the web server; redis-server; serverless-offline with s3rver and the function
// workers) is exactly the stack whose memory the load test samples. It answers the parent over IPC.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { loadLocalEnv } from "../dev/env.ts";
import { startLocalStack } from "../dev/local-stack.ts";

/**
 * Ports apart from the dev stack (3000...) and the e2e stack (3300...); BENCH_PORT_OFFSET moves them all, so that two
 * checkouts on one machine can run the benchmark at once.
 */
const offset = Number(process.env.BENCH_PORT_OFFSET ?? 0) || 0;
export const BENCH_PORTS = Object.fromEntries(
  Object.entries({ http: 3400, lambda: 3402, s3: 4769, dynamodb: 8200, upstash: 8279, web: 5373 }).map(([name, port]) => [
    name,
    port + offset,
  ]),
) as { http: number; lambda: number; s3: number; dynamodb: number; upstash: number; web: number };

/** What the parent asks. */
export type StackRequest = { id: number; type: "count" | "reset" | "stop" };
/** What this process tells the parent. */
export type StackMessage =
  | { type: "ready"; baseUrl: string; lambdaUrl: string; s3Url: string; engine: string }
  | { type: "failed"; error: string }
  | { type: "answer"; id: number; value: number };

const send = (message: StackMessage) => process.send?.(message);

const base = loadLocalEnv();
// Ports and endpoints of a developer's .env do not apply: this stack has its own.
const env = Object.fromEntries(
  Object.entries(base).filter(([key]) => !/^(OFFLINE_|S3_LOCAL_|DYNAMODB_LOCAL_|UPSTASH_LOCAL_|WEB_PORT$)/.test(key)),
);
const limits = JSON.parse(process.env.BENCH_STACK_ENV ?? "{}") as Record<string, string>;

// serverless-offline's output of this run only (the stack appends to it).
const logFile = resolve("test-artifacts", "bench-offline.log");
mkdirSync(dirname(logFile), { recursive: true });
writeFileSync(logFile, "");

try {
  const stack = await startLocalStack({
    ports: BENCH_PORTS,
    env: { ...env, S3_PUBLIC_ENDPOINT: "", ...limits },
    output: logFile,
    workFolder: ".esbuild-bench",
  });
  process.on("message", (raw: StackRequest) => {
    if (raw.type === "count") send({ type: "answer", id: raw.id, value: stack.upstash.requestCount() });
    if (raw.type === "reset") {
      stack.upstash.resetRequestCount();
      send({ type: "answer", id: raw.id, value: 0 });
    }
    if (raw.type === "stop") {
      void stack.stop().finally(() => {
        send({ type: "answer", id: raw.id, value: 0 });
        process.exit(0);
      });
    }
  });
  process.on("disconnect", () => void stack.stop().finally(() => process.exit(0)));
  send({ type: "ready", baseUrl: stack.baseUrl, lambdaUrl: stack.lambdaUrl, s3Url: stack.s3Url, engine: stack.upstash.engine });
} catch (error) {
  send({ type: "failed", error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
