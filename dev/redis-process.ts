/**
 * Spawns a throw-away `redis-server` for the development Upstash REST endpoint (dev/upstash-rest.ts).
 *
 * The server listens on a free port of 127.0.0.1 with persistence disabled and a scratch working directory.
 * It never outlives the Node process that started it:
 * - `stop()` terminates it and waits until it is gone;
 * - a `process.on("exit")` hook terminates it when Node exits normally (also via `process.exit`);
 * - it runs under a tiny `/bin/sh` supervisor that holds the read end of a pipe whose only writer is this Node
 *   process; when Node dies for any reason (even SIGKILL) the pipe reaches EOF and the supervisor kills Redis.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs";
import { createServer, Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { Redis } from "ioredis";

/** A running redis-server owned by this process. */
export interface RedisProcess {
  host: string;
  port: number;
  /** pid of the redis-server process itself (not of its supervisor). */
  pid: number;
  /** Terminates the server and waits until it has exited; idempotent. */
  stop(): Promise<void>;
}

/**
 * Supervisor script. $@ is the redis-server command line. fd 3 is a copy of stdin (the pipe from Node), handed to a
 * watcher subshell: asynchronous lists get /dev/null as stdin, hence the copy. When the pipe reaches EOF (Node closed
 * it or died) the watcher terminates Redis. The supervisor itself exits as soon as Redis has exited.
 */
const SUPERVISOR = `
exec 3<&0
"$@" 3<&- </dev/null &
pid=$!
echo "redis-pid:$pid"
( while read -r _ <&3; do :; done; kill -TERM "$pid" 2>/dev/null ) &
watcher=$!
exec 3<&-
trap 'kill -TERM "$pid" 2>/dev/null' TERM INT HUP
while kill -0 "$pid" 2>/dev/null; do wait "$pid"; done
kill "$watcher" 2>/dev/null
exit 0
`;

const HOST = "127.0.0.1";
const STARTUP_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/** Processes to terminate if Node exits without calling stop(). */
const live = new Map<number, ChildProcess>();

function killOnExit(): void {
  for (const [pid, supervisor] of live) {
    try {
      process.kill(pid, "SIGTERM");
    } catch {
      // already gone
    }
    supervisor.kill("SIGTERM");
  }
  live.clear();
}

function track(pid: number, supervisor: ChildProcess): void {
  if (live.size === 0) process.on("exit", killOnExit);
  live.set(pid, supervisor);
}

function untrack(pid: number): void {
  live.delete(pid);
  if (live.size === 0) process.off("exit", killOnExit);
}

/** Returns the path of `redis-server` found on the PATH, or null. */
export function findRedisServerBinary(): string | null {
  const names = process.platform === "win32" ? ["redis-server.exe"] : ["redis-server"];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir === "") continue;
    for (const name of names) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
  }
  return null;
}

/** Finds a TCP port that is currently free on `host`. */
export function findFreePort(host = HOST): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error("could not determine a free port"))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function answersPing(port: number): Promise<boolean> {
  const probe = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    connectTimeout: 1_000,
  });
  probe.on("error", () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

/** Starts redis-server once on the given port; rejects if it exits or does not answer PING in time. */
async function startOnce(binary: string, port: number): Promise<RedisProcess> {
  const dir = mkdtempSync(join(tmpdir(), "upstash-rest-redis-"));
  const args = [
    binary,
    "--port",
    String(port),
    "--bind",
    HOST,
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "no",
    "--protected-mode",
    "yes",
    "--dir",
    dir,
    "--loglevel",
    "warning",
  ];
  const supervisor = spawn("/bin/sh", ["-c", SUPERVISOR, "upstash-rest-redis", ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    supervisor.once("exit", () => {
      exited = true;
      resolve();
    });
    // spawn failure (no /bin/sh): "exit" may never come
    supervisor.once("error", (err) => {
      output += `\n${err.message}`;
      exited = true;
      resolve();
    });
  });
  const collect = (chunk: Buffer): void => {
    output = (output + chunk.toString("utf8")).slice(-8_192);
  };
  supervisor.stdout?.on("data", collect);
  supervisor.stderr?.on("data", collect);

  const cleanupDir = (): void => rmSync(dir, { recursive: true, force: true });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  let pid = 0;
  let tracked = false;
  const fail = async (reason: string): Promise<never> => {
    if (pid > 0 && isAlive(pid)) process.kill(pid, "SIGKILL");
    supervisor.stdin?.end();
    if (!exited) supervisor.kill("SIGKILL");
    await exitedPromise;
    if (tracked) untrack(pid);
    cleanupDir();
    throw new Error(`redis-server did not start on port ${port}: ${reason}\n${output.trim()}`);
  };

  while (pid === 0) {
    const match = /redis-pid:(\d+)/.exec(output);
    if (match?.[1]) pid = Number(match[1]);
    else if (exited) return fail("the supervisor exited");
    else if (Date.now() > deadline) return fail("timed out waiting for its pid");
    else await sleep(10);
  }
  track(pid, supervisor);
  tracked = true;
  while (!(await answersPing(port))) {
    if (exited || !isAlive(pid)) return fail("it exited");
    if (Date.now() > deadline) return fail("timed out waiting for PING");
    await sleep(50);
  }

  // Only the HTTP server should keep the event loop alive, not the supervisor or its pipes.
  supervisor.unref();
  for (const stream of [supervisor.stdin, supervisor.stdout, supervisor.stderr]) {
    if (stream instanceof Socket) stream.unref();
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      supervisor.stdin?.end(); // EOF: the supervisor terminates Redis and exits
      const timedOut = await Promise.race([exitedPromise.then(() => false), sleep(STOP_TIMEOUT_MS).then(() => true)]);
      if (timedOut) {
        if (isAlive(pid)) process.kill(pid, "SIGKILL");
        supervisor.kill("SIGKILL");
        await exitedPromise;
      }
      // The supervisor waits for Redis before exiting; this only guards against a stuck supervisor.
      for (let i = 0; i < 100 && isAlive(pid); i++) await sleep(20);
      untrack(pid);
      cleanupDir();
    })();
    return stopping;
  };
  return { host: HOST, port, pid, stop };
}

/** Spawns redis-server on a free port of 127.0.0.1 (no persistence) and resolves once it answers PING. */
export async function spawnRedisServer(binary: string): Promise<RedisProcess> {
  let lastError: unknown;
  // The free port may be taken between probing and binding: retry with another one.
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, await findFreePort());
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
