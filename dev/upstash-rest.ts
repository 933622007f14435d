/**
 * Development-only HTTP endpoint that speaks the Upstash Redis REST protocol, in front of a local Redis.
 *
 * Point `@upstash/redis` (`new Redis({ url, token })`) or `@upstash/ratelimit` at it to develop and test without an
 * Upstash database. Protocol (as used by @upstash/redis, see node_modules/@upstash/redis/chunk-*.mjs):
 * - every request is `POST` with `Authorization: Bearer <token>` (otherwise 401 `{"error":"Unauthorized"}`);
 * - `POST /` with a JSON command array `["SET","k","v"]` → 200 `{"result":…}` or 400 `{"error":"ERR …"}`;
 * - `POST /pipeline` with `[[…],[…]]` → 200 `[{"result":…}|{"error":…}, …]`, not atomic;
 * - `POST /multi-exec` → same shape, run atomically in MULTI/EXEC (400 `{"error"}` when the transaction aborts);
 * - with `Upstash-Encoding: base64` every string of the result (recursively) is the base64 of its bytes, except a
 *   top-level "OK", which the client keeps as is; numbers and nulls are unchanged.
 * Malformed bodies answer 400, unknown paths 404, an unreachable Redis 503.
 *
 * Backends: a `redis-server` spawned on a free port (no persistence, never outlives this process), an existing
 * Redis given by `redisUrl`, or the embedded ioredis-mock engine (see dev/memory-engine.ts for its limits).
 * Development tooling only: never import it from lib/ or functions/.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { MemoryEngine } from "./memory-engine.ts";
import { findRedisServerBinary, spawnRedisServer } from "./redis-process.ts";
import { EngineUnavailableError, IoredisEngine, RedisCommandError, refuseCommand } from "./redis-engine.ts";
import type { CommandEngine, CommandOutcome, RedisCommand, RedisReply } from "./redis-engine.ts";

export interface UpstashRestServer {
  /** Base URL for `new Redis({ url })`, e.g. http://127.0.0.1:8079 */
  url: string;
  port: number;
  engine: "redis-server" | "memory";
  /** number of HTTP requests received since start or last reset (for benchmarks counting round trips) */
  requestCount(): number;
  resetRequestCount(): void;
  /** Stops the HTTP server and the redis-server child it spawned (if any); idempotent. */
  close(): Promise<void>;
}

export interface UpstashRestOptions {
  /** default 8079; 0 = any free port */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  /** required bearer token */
  token: string;
  /** connect to an existing redis instead of spawning one */
  redisUrl?: string;
  /** default "auto": spawn `redis-server` if it is on the PATH, else the embedded in-memory engine */
  engine?: "auto" | "redis-server" | "memory";
}

const DEFAULT_PORT = 8079;
const DEFAULT_HOST = "127.0.0.1";
const MAX_BODY_BYTES = 10 * 1024 * 1024;
/** Grace period for in-flight requests on close() before their connections are cut. */
const CLOSE_GRACE_MS = 2_000;

type Route = "command" | "pipeline" | "multi-exec";
type Json = string | number | null | Json[] | { [key: string]: Json };

/** A request the endpoint refuses before reaching Redis. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function routeOf(url: string | undefined): Route | null {
  const path = (url ?? "/").split("?", 1)[0];
  if (path === "/") return "command";
  if (path === "/pipeline") return "pipeline";
  if (path === "/multi-exec") return "multi-exec";
  return null;
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

function isAuthorized(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return match?.[1] !== undefined && timingSafeEqual(digest(match[1]), expected);
}

function send(res: ServerResponse, status: number, body: Json, extraHeaders: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...extraHeaders,
  });
  res.end(text);
}

/** Reads the request body; beyond MAX_BODY_BYTES the rest is drained and discarded, and the request fails with 413. */
function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) reject(new HttpError(413, `ERR request body larger than ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString("utf8"));
    });
    req.on("error", reject);
  });
}

/** Validates one command: a non-empty array of strings, finite numbers or booleans, all sent as strings. */
function toCommand(value: unknown, where: string): RedisCommand {
  if (!Array.isArray(value) || value.length === 0) {
    throw new HttpError(400, `ERR ${where} must be a non-empty JSON array like ["SET","key","value"]`);
  }
  return value.map((arg, index): string => {
    if (typeof arg === "string") return arg;
    if ((typeof arg === "number" && Number.isFinite(arg)) || typeof arg === "boolean") return String(arg);
    throw new HttpError(400, `ERR ${where}: argument ${index} must be a string or a number, got ${JSON.stringify(arg) ?? typeof arg}`);
  });
}

function parseBody(text: string, route: Route): RedisCommand[] {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "ERR failed to parse the request body as JSON");
  }
  if (route === "command") return [toCommand(body, "the command")];
  if (!Array.isArray(body) || body.length === 0) {
    throw new HttpError(400, `ERR ${route} body must be a non-empty JSON array of commands like [["SET","k","v"],["GET","k"]]`);
  }
  return body.map((cmd, index) => toCommand(cmd, `command ${index}`));
}

/** Encodes a reply as Upstash does: base64 strings (at any depth) when asked, except a top-level "OK". */
function encodeReply(reply: RedisReply, base64: boolean, topLevel = true): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((item) => encodeReply(item, base64, false));
  const bytes = reply instanceof Error ? Buffer.from(reply.message, "utf8") : Buffer.isBuffer(reply) ? reply : Buffer.from(reply, "utf8");
  if (!base64) return bytes.toString("utf8");
  if (topLevel && bytes.length === 2 && bytes.toString("latin1") === "OK") return "OK";
  return bytes.toString("base64");
}

function encodeOutcome(outcome: CommandOutcome, base64: boolean): Json {
  return outcome.ok ? { result: encodeReply(outcome.value, base64) } : { error: outcome.error };
}

async function execute(engine: CommandEngine, route: Route, cmds: RedisCommand[], base64: boolean): Promise<Json> {
  if (route === "command") {
    const [cmd = []] = cmds;
    const refusal = refuseCommand(cmd);
    if (refusal) throw new RedisCommandError(refusal);
    return { result: encodeReply(await engine.command(cmd), base64) };
  }
  const refusals = cmds.map(refuseCommand);
  if (route === "multi-exec") {
    const refusal = refusals.find((r) => r !== null);
    if (refusal) throw new RedisCommandError(`EXECABORT Transaction discarded because of previous errors. ${refusal}`);
    return (await engine.transaction(cmds)).map((outcome) => encodeOutcome(outcome, base64));
  }
  // Pipeline: refused commands fail on their own, the others still run, in order.
  const allowed = cmds.filter((_, index) => refusals[index] === null);
  const results = allowed.length > 0 ? await engine.pipeline(allowed) : [];
  let next = 0;
  return refusals.map((refusal): Json => {
    if (refusal !== null) return { error: refusal };
    const outcome = results[next++];
    return outcome ? encodeOutcome(outcome, base64) : { error: "ERR missing reply" };
  });
}

async function handle(req: IncomingMessage, res: ServerResponse, engine: CommandEngine, token: Buffer): Promise<void> {
  const route = routeOf(req.url);
  if (route === null) {
    req.resume();
    send(res, 404, { error: "Not Found" });
    return;
  }
  const authorization = req.headers.authorization;
  if (!isAuthorized(typeof authorization === "string" ? authorization : undefined, token)) {
    req.resume();
    send(res, 401, { error: "Unauthorized" });
    return;
  }
  if (req.method !== "POST") {
    req.resume();
    send(res, 405, { error: "ERR only POST is supported" }, { allow: "POST" });
    return;
  }
  const base64 = String(req.headers["upstash-encoding"] ?? "").toLowerCase() === "base64";
  try {
    const cmds = parseBody(await readBody(req), route);
    send(res, 200, await execute(engine, route, cmds, base64));
  } catch (err) {
    if (err instanceof HttpError) {
      send(res, err.status, { error: err.message });
    } else if (err instanceof RedisCommandError) {
      send(res, 400, { error: err.message });
    } else if (err instanceof EngineUnavailableError) {
      send(res, 503, { error: `ERR ${err.message}` });
    } else {
      send(res, 500, { error: `ERR internal error: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
}

async function createEngine(opts: UpstashRestOptions): Promise<CommandEngine> {
  const choice = opts.engine ?? "auto";
  if (opts.redisUrl !== undefined) {
    if (choice === "memory") throw new Error('startUpstashRest: redisUrl cannot be combined with engine "memory"');
    return IoredisEngine.connect(opts.redisUrl);
  }
  if (choice === "memory") return new MemoryEngine();
  const binary = findRedisServerBinary();
  if (binary === null) {
    if (choice === "redis-server")
      throw new Error('startUpstashRest: redis-server is not on the PATH (install it, or use engine "memory")');
    return new MemoryEngine();
  }
  const redis = await spawnRedisServer(binary);
  try {
    return await IoredisEngine.connect({ host: redis.host, port: redis.port }, redis.stop);
  } catch (err) {
    await redis.stop();
    throw err;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Starts the development Upstash REST endpoint and resolves once it (and its Redis) is ready. */
export async function startUpstashRest(opts: UpstashRestOptions): Promise<UpstashRestServer> {
  if (typeof opts.token !== "string" || opts.token === "") throw new Error("startUpstashRest: a non-empty token is required");
  const port = opts.port ?? DEFAULT_PORT;
  const host = opts.host ?? DEFAULT_HOST;
  const token = digest(opts.token);
  const engine = await createEngine(opts);

  let requests = 0;
  const server = createServer((req, res) => {
    requests += 1;
    handle(req, res, engine, token).catch((err: unknown) => {
      send(res, 500, { error: `ERR internal error: ${err instanceof Error ? err.message : String(err)}` });
    });
  });
  server.on("clientError", (_err, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  try {
    await listen(server, port, host);
  } catch (err) {
    await engine.close();
    throw err;
  }
  const address = server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const urlHost = host.includes(":") ? `[${host}]` : host;

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${actualPort}`,
    port: actualPort,
    engine: engine.kind,
    requestCount: () => requests,
    resetRequestCount: () => {
      requests = 0;
    },
    close: () => {
      closing ??= (async () => {
        try {
          await closeServer(server);
        } finally {
          await engine.close();
        }
      })();
      return closing;
    },
  };
}
