/**
 * Command engines behind the development Upstash REST endpoint (dev/upstash-rest.ts).
 *
 * An engine executes Redis commands given as arrays of strings and returns decoded RESP replies.
 * This module holds the shared types and the engine backed by a real Redis server (through ioredis);
 * the in-memory engine lives in dev/memory-engine.ts. Development tooling only: never import from lib/ or functions/.
 */
import { createHash } from "node:crypto";
import { Command, Pipeline, Redis, ReplyError } from "ioredis";
import type { RedisOptions } from "ioredis";

/** A decoded RESP reply: strings come from the in-memory engine, Buffers (exact bytes) from a real server. */
export type RedisReply = string | Buffer | number | null | Error | RedisReply[];

/** A Redis command as sent over REST: the command name followed by its arguments. */
export type RedisCommand = readonly string[];

/** Outcome of one command of a pipeline or transaction. */
export type CommandOutcome = { ok: true; value: RedisReply } | { ok: false; error: string };

/** Redis answered with an error reply (e.g. `ERR ...`, `WRONGTYPE ...`): a client error, HTTP 400. */
export class RedisCommandError extends Error {
  override name = "RedisCommandError";
}

/** The engine cannot reach Redis (connection refused, closed, not ready): HTTP 503. */
export class EngineUnavailableError extends Error {
  override name = "EngineUnavailableError";
}

/** What the REST layer needs from a Redis backend. */
export interface CommandEngine {
  readonly kind: "redis-server" | "memory";
  /** Runs one command; throws RedisCommandError for a Redis error, EngineUnavailableError when Redis is unreachable. */
  command(cmd: RedisCommand): Promise<RedisReply>;
  /** Runs the commands in order, not atomically; one outcome per command. */
  pipeline(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]>;
  /** Runs the commands atomically (MULTI/EXEC); throws RedisCommandError when the transaction is aborted. */
  transaction(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]>;
  /** Releases the connection (and whatever the engine owns); idempotent. */
  close(): Promise<void>;
}

/**
 * Commands that change the state of the (shared) connection or of the server process: a stateless REST endpoint
 * cannot honour them, and on a shared connection they would corrupt every later request.
 */
const CONNECTION_COMMANDS = new Set([
  "AUTH",
  "CLIENT",
  "DISCARD",
  "EXEC",
  "HELLO",
  "MONITOR",
  "MULTI",
  "PSUBSCRIBE",
  "PSYNC",
  "PUNSUBSCRIBE",
  "QUIT",
  "REPLICAOF",
  "RESET",
  "SELECT",
  "SHUTDOWN",
  "SLAVEOF",
  "SSUBSCRIBE",
  "SUBSCRIBE",
  "SUNSUBSCRIBE",
  "SYNC",
  "UNSUBSCRIBE",
  "UNWATCH",
  "WATCH",
]);

/** Returns the error to answer for a command the endpoint refuses to run, or null when it may run. */
export function refuseCommand(cmd: RedisCommand): string | null {
  const name = (cmd[0] ?? "").toUpperCase();
  if (name === "") return "ERR empty command name";
  if (CONNECTION_COMMANDS.has(name)) {
    return `ERR Command is not allowed: ${name} changes connection or server state, which the REST endpoint does not support`;
  }
  return null;
}

const ALWAYS_BLOCKING = new Set(["BLPOP", "BRPOP", "BRPOPLPUSH", "BLMOVE", "BLMPOP", "BZPOPMIN", "BZPOPMAX", "BZMPOP", "WAIT", "WAITAOF"]);

/** True when the command may block its connection (so it must not run on the shared one). */
export function isBlockingCommand(cmd: RedisCommand): boolean {
  const name = (cmd[0] ?? "").toUpperCase();
  if (ALWAYS_BLOCKING.has(name)) return true;
  if (name === "XREAD" || name === "XREADGROUP") return cmd.some((arg) => arg.toUpperCase() === "BLOCK");
  return false;
}

/** Converts a raw ioredis reply into a RedisReply without trusting its static type. */
function toReply(value: unknown): RedisReply {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || typeof value === "string" || typeof value === "number" || value instanceof Error) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toReply);
  return String(value);
}

function isReplyError(err: unknown): err is Error {
  return err instanceof ReplyError;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Maps an ioredis failure to the error type the REST layer understands. */
function toEngineError(err: unknown): Error {
  if (isReplyError(err)) return new RedisCommandError(err.message);
  return new EngineUnavailableError(`Redis is unavailable: ${message(err)}`);
}

/** Error message of an aborted transaction, including the queue-time errors that caused it. */
function execAbortMessage(err: Error): string {
  const previous: unknown = "previousErrors" in err ? err.previousErrors : undefined;
  const reasons = Array.isArray(previous) ? previous.map(message) : [];
  return reasons.length > 0 ? `${err.message.trim()} ${reasons.join("; ").trim()}` : err.message;
}

/**
 * A command whose reply is passed through untouched: Buffers (exact bytes) and no ioredis reply transformer
 * (ioredis would turn HGETALL into an object, even for callBuffer).
 */
class RawCommand extends Command {
  override transformReply(result: Buffer | Buffer[]): Buffer | Buffer[] {
    return result;
  }
}

function rawCommand(cmd: RedisCommand): RawCommand {
  const [name = "", ...args] = cmd;
  return new RawCommand(name, args, { replyEncoding: null });
}

function asPipeline(chain: unknown): Pipeline {
  if (!(chain instanceof Pipeline)) throw new Error("ioredis did not return a Pipeline");
  return chain;
}

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** A command as it will be sent, and how to turn the server's reply back into what the client expects. */
interface PreparedCommand {
  cmd: RedisCommand;
  mapReply?: (reply: RedisReply) => RedisReply;
}

function mapOutcomes(outcomes: CommandOutcome[], prepared: readonly PreparedCommand[]): CommandOutcome[] {
  return outcomes.map((outcome, index): CommandOutcome => {
    const mapReply = prepared[index]?.mapReply;
    return outcome.ok && mapReply ? { ok: true, value: mapReply(outcome.value) } : outcome;
  });
}

const CLIENT_OPTIONS: RedisOptions = {
  lazyConnect: true,
  // Fail fast while disconnected (the REST layer answers 503) instead of queueing commands.
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  connectTimeout: 5_000,
  retryStrategy: (times: number) => Math.min(times * 100, 2_000),
};

/** Engine that forwards commands to a real Redis server through ioredis, with binary-safe (Buffer) replies. */
export class IoredisEngine implements CommandEngine {
  readonly kind = "redis-server";
  private readonly dedicated = new Set<Redis>();
  /** Whether the server accepts a Lua shebang flag (probed once per flag). */
  private readonly flagSupport = new Map<string, Promise<boolean>>();
  /** sha1 of a script as the client sent it → sha1 of the script loaded on the server, when it had to be adapted. */
  private readonly shaAliases = new Map<string, string>();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly client: Redis,
    private readonly onClose: () => Promise<void>,
  ) {}

  /** Connects to `redis://…` (or host/port options) and resolves once the server answers PING. */
  static async connect(
    target: string | { host: string; port: number },
    onClose: () => Promise<void> = async () => {},
  ): Promise<IoredisEngine> {
    const client = typeof target === "string" ? new Redis(target, CLIENT_OPTIONS) : new Redis({ ...CLIENT_OPTIONS, ...target });
    // Connection errors surface per request (503); without a listener ioredis would log every reconnect attempt.
    client.on("error", () => {});
    try {
      await client.connect();
      await client.ping();
    } catch (err) {
      client.disconnect();
      throw new Error(`cannot connect to Redis: ${message(err)}`, { cause: err });
    }
    return new IoredisEngine(client, onClose);
  }

  async command(cmd: RedisCommand): Promise<RedisReply> {
    const [prepared] = await this.prepare([cmd]);
    const { cmd: sent, mapReply } = prepared ?? { cmd };
    const reply = isBlockingCommand(sent)
      ? await this.withDedicatedConnection((client) => IoredisEngine.run(client, sent))
      : await IoredisEngine.run(this.client, sent);
    return mapReply ? mapReply(reply) : reply;
  }

  async pipeline(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    const prepared = await this.prepare(cmds);
    const sent = prepared.map((p) => p.cmd);
    const outcomes = sent.some(isBlockingCommand)
      ? await this.withDedicatedConnection((client) => IoredisEngine.runPipeline(client, sent))
      : await IoredisEngine.runPipeline(this.client, sent);
    return mapOutcomes(outcomes, prepared);
  }

  async transaction(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    this.assertOpen();
    const prepared = await this.prepare(cmds);
    // ioredis writes MULTI, the commands and EXEC in one go on this connection, so nothing interleaves.
    const multi = asPipeline(this.client.multi());
    for (const { cmd } of prepared) multi.sendCommand(rawCommand(cmd));
    let results: [error: Error | null, result: unknown][] | null;
    try {
      results = await multi.exec();
    } catch (err) {
      if (isReplyError(err)) throw new RedisCommandError(execAbortMessage(err));
      throw toEngineError(err);
    }
    if (results === null) throw new RedisCommandError("EXECABORT Transaction discarded");
    return mapOutcomes(IoredisEngine.outcomes(results), prepared);
  }

  /**
   * Adapts Lua scripts to the server: Upstash accepts shebang flags that an older redis-server rejects
   * (`#!lua flags=allow-key-locking`, used by @upstash/ratelimit, fails on Redis 7.0 with "Unexpected flag").
   * Unsupported flags are dropped; EVALSHA / SCRIPT LOAD / SCRIPT EXISTS keep speaking in the client's sha1
   * (of the original script), mapped to the sha1 of the script actually loaded.
   */
  private async prepare(cmds: readonly RedisCommand[]): Promise<PreparedCommand[]> {
    this.assertOpen();
    return Promise.all(
      cmds.map(async (cmd): Promise<PreparedCommand> => {
        const [rawName = "", first = "", ...rest] = cmd;
        const name = rawName.toUpperCase();
        if ((name === "EVAL" || name === "EVAL_RO") && first.startsWith("#!")) {
          return { cmd: [rawName, await this.compatibleScript(first), ...rest] };
        }
        if (name === "EVALSHA" || name === "EVALSHA_RO") {
          return { cmd: [rawName, this.shaAliases.get(first.toLowerCase()) ?? first, ...rest] };
        }
        if (name === "SCRIPT" && first.toUpperCase() === "LOAD" && rest.length === 1 && rest[0]?.startsWith("#!")) {
          const script = rest[0];
          const clientSha = sha1(script);
          return { cmd: [rawName, first, await this.compatibleScript(script)], mapReply: () => clientSha };
        }
        if (name === "SCRIPT" && first.toUpperCase() === "EXISTS") {
          return { cmd: [rawName, first, ...rest.map((sha) => this.shaAliases.get(sha.toLowerCase()) ?? sha)] };
        }
        return { cmd };
      }),
    );
  }

  private async compatibleScript(script: string): Promise<string> {
    const newline = script.indexOf("\n");
    const shebang = newline === -1 ? script : script.slice(0, newline);
    const match = /^(#!\S+)(.*)$/.exec(shebang);
    if (!match) return script;
    const [, engineName = "#!lua", options = ""] = match;
    const flagsToken = options
      .trim()
      .split(/\s+/)
      .find((token) => token.startsWith("flags="));
    if (flagsToken === undefined) return script;
    const flags = flagsToken
      .slice("flags=".length)
      .split(",")
      .filter((flag) => flag !== "");
    const supported: string[] = [];
    for (const flag of flags) if (await this.supportsFlag(flag)) supported.push(flag);
    if (supported.length === flags.length) return script;
    const line = supported.length > 0 ? `${engineName} flags=${supported.join(",")}` : engineName;
    const compatible = newline === -1 ? line : `${line}${script.slice(newline)}`;
    this.shaAliases.set(sha1(script), sha1(compatible));
    return compatible;
  }

  private supportsFlag(flag: string): Promise<boolean> {
    let known = this.flagSupport.get(flag);
    if (!known) {
      known = IoredisEngine.run(this.client, ["EVAL", `#!lua flags=${flag}\nreturn 1`, "0"]).then(
        () => true,
        (err: unknown) => {
          if (err instanceof RedisCommandError) return !/unexpected flag/i.test(err.message);
          this.flagSupport.delete(flag); // unknown for now: retry next time
          return true;
        },
      );
      this.flagSupport.set(flag, known);
    }
    return known;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const client of this.dedicated) client.disconnect();
      this.dedicated.clear();
      try {
        await this.client.quit();
      } catch {
        this.client.disconnect();
      }
      await this.onClose();
    })();
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing) throw new EngineUnavailableError("Redis is unavailable: the endpoint is closing");
  }

  private static async run(client: Redis, cmd: RedisCommand): Promise<RedisReply> {
    const command = rawCommand(cmd);
    try {
      client.sendCommand(command);
      const reply: unknown = await command.promise;
      return toReply(reply);
    } catch (err) {
      throw toEngineError(err);
    }
  }

  private static async runPipeline(client: Redis, cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    const pipeline = asPipeline(client.pipeline());
    for (const cmd of cmds) pipeline.sendCommand(rawCommand(cmd));
    let results: [error: Error | null, result: unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw toEngineError(err);
    }
    if (results === null) throw new EngineUnavailableError("Redis is unavailable: the pipeline returned no result");
    return IoredisEngine.outcomes(results);
  }

  private static outcomes(results: [error: Error | null, result: unknown][]): CommandOutcome[] {
    return results.map(([error, result]): CommandOutcome => {
      if (error === null) return { ok: true, value: toReply(result) };
      if (isReplyError(error)) return { ok: false, error: error.message };
      throw toEngineError(error);
    });
  }

  /** Runs blocking commands on their own connection so they cannot stall the shared one. */
  private async withDedicatedConnection<T>(work: (client: Redis) => Promise<T>): Promise<T> {
    this.assertOpen();
    const client = this.client.duplicate({ lazyConnect: true });
    client.on("error", () => {});
    this.dedicated.add(client);
    try {
      try {
        await client.connect();
      } catch (err) {
        throw toEngineError(err);
      }
      return await work(client);
    } finally {
      this.dedicated.delete(client);
      client.disconnect();
    }
  }
}
