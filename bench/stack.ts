import { fork, type ChildProcess } from "node:child_process";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { StackMessage, StackRequest } from "./stack-process.ts";

const HERE = dirname(fileURLToPath(import.meta.url));

/** The local stack running in a child process, and the questions the benchmark asks it. */
export interface BenchStack {
  baseUrl: string;
  s3Url: string;
  engine: string;
  /** The root of the stack's process tree, for memory sampling. */
  pid: number;
  /** HTTP requests that reached the Upstash REST endpoint since the last reset. */
  redisRequests(): Promise<number>;
  resetRedisRequests(): Promise<void>;
  stop(): Promise<void>;
}

/** Forks bench/stack-process.ts with the given extra environment (raised limits) and waits until the stack is ready. */
export async function startBenchStack(extraEnv: Record<string, string>, timeoutMs = 240_000): Promise<BenchStack> {
  const child: ChildProcess = fork(resolve(HERE, "stack-process.ts"), [], {
    execArgv: ["--import", "tsx"],
    env: { ...process.env, BENCH_STACK_ENV: JSON.stringify(extraEnv) },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Extract<StackMessage, { type: "ready" }>>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bench stack was not ready within ${timeoutMs} ms`)), timeoutMs);
    child.once("exit", (code) => reject(new Error(`the bench stack exited (${code}) before it was ready`)));
    child.on("message", (message: StackMessage) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolvePromise(message);
      }
      if (message.type === "failed") {
        clearTimeout(timer);
        reject(new Error(`the bench stack failed: ${message.error}`));
      }
    });
  });
  let next = 0;
  const ask = (type: StackRequest["type"]) =>
    new Promise<number>((resolvePromise, reject) => {
      const id = ++next;
      const listener = (message: StackMessage) => {
        if (message.type === "answer" && message.id === id) {
          child.off("message", listener);
          resolvePromise(message.value);
        }
      };
      child.on("message", listener);
      if (!child.send({ id, type } satisfies StackRequest)) reject(new Error("the bench stack is gone"));
    });
  return {
    baseUrl: ready.baseUrl,
    s3Url: ready.s3Url,
    engine: ready.engine,
    pid: child.pid!,
    redisRequests: () => ask("count"),
    resetRedisRequests: async () => void (await ask("reset")),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolvePromise) => child.once("exit", () => resolvePromise()));
      await Promise.race([ask("stop"), new Promise((resolvePromise) => setTimeout(resolvePromise, 20_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
