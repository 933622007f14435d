/**
 * In-memory command engine for the development Upstash REST endpoint, used when `redis-server` is not installed.
 *
 * It is backed by ioredis-mock (no hand-written Redis here): commands are dispatched to the mock's methods by name,
 * and Lua scripts (EVAL/EVALSHA) run in the mock's fengari VM. This module only adds what the mock lacks and what a
 * REST endpoint needs: SCRIPT LOAD/EXISTS/FLUSH and EVALSHA over a script cache of its own, Redis-style reply
 * conversion, and serialisation of all commands so MULTI/EXEC is atomic.
 *
 * What this module adds to ioredis-mock 8.x, which test/integration/redis-engine-parity.test.ts holds against a real
 * redis-server (one corpus of commands, pipelines, transactions and the project's scripts, reply by reply):
 * - WRONGTYPE for string and hash commands on a key of another type (the mock answers nil, or the other value, or
 *   overwrites it), in commands and inside scripts, and "not an integer" for INCR-like commands (KEY_RULES);
 * - a script's return value converted as Redis converts it (Lua number → integer, true → 1, false → nil, a table →
 *   an array up to its first nil, `{ok=…}` / `{err=…}` at any depth): the value is serialised in Lua and read back
 *   here, since the mock's own conversion fails on tables built by assignment and on HGETALL/LRANGE replies;
 * - in a pipeline or a transaction every command answers on its own, whatever goes wrong with another.
 *
 * Known limits that remain (use the redis-server engine when they matter):
 * - Arity and syntax are barely checked (`SET k` succeeds); unknown options are often ignored.
 * - Strings are JavaScript strings: binary values must be valid UTF-8, and STRLEN/GETRANGE/SETRANGE count UTF-16
 *   code units instead of bytes.
 * - Option keywords are only recognised in upper case by the mock; they are upper-cased here for the commands in
 *   OPTION_RULES (SET, EXPIRE, ZADD, ZRANGE, SCAN, …); other commands with lower-case options may ignore them.
 * - Unsupported commands (blocking pops, RedisJSON, search, …) answer `ERR unknown command`.
 * - Lua (fengari, Lua 5.3 rather than Redis' 5.1): a `#!lua flags=…` shebang is accepted but its flags are ignored;
 *   no `cjson`, `cmsgpack`, `bit`, `struct` or `redis.sha1hex`. Arguments given to `redis.call` inside a script are
 *   passed to the mock as they are (lower-case options are not normalised there).
 * - Expiry is evaluated lazily by the mock; keyspace notifications and pub/sub are not exposed over REST.
 * - Data lives in this process only and is dropped on close().
 */
import { createHash, randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import RedisMock from "ioredis-mock";
import type { Redis } from "ioredis";
import { EngineUnavailableError, RedisCommandError } from "./redis-engine.ts";
import type { CommandEngine, CommandOutcome, RedisCommand, RedisReply } from "./redis-engine.ts";

const require = createRequire(import.meta.url);

/** Redis command names ioredis-mock knows about (unsupported ones throw "Unsupported command" when called). */
function loadCommandNames(): Set<string> {
  const data: unknown = require("ioredis-mock/data/command-list.json");
  const list: unknown = typeof data === "object" && data !== null && "list" in data ? data.list : [];
  const names = new Set<string>();
  if (Array.isArray(list)) {
    for (const entry of list) if (typeof entry === "string" && !entry.includes("|")) names.add(entry.toLowerCase());
  }
  return names;
}

const KNOWN_COMMANDS = loadCommandNames();

/**
 * The type of key a command works on (its first argument), where ioredis-mock does not check it itself: a key of
 * another type answers WRONGTYPE, as Redis does. `integer`: the value must also read as an integer (INCR and kin).
 * Commands that replace a key whatever it holds (SET, SETEX, DEL, …) are not listed.
 */
const KEY_RULES: Record<string, { type: "string" | "hash"; integer?: true }> = {
  get: { type: "string" },
  getset: { type: "string" },
  getdel: { type: "string" },
  getex: { type: "string" },
  getrange: { type: "string" },
  setrange: { type: "string" },
  append: { type: "string" },
  strlen: { type: "string" },
  getbit: { type: "string" },
  setbit: { type: "string" },
  bitcount: { type: "string" },
  incrbyfloat: { type: "string" },
  incr: { type: "string", integer: true },
  incrby: { type: "string", integer: true },
  decr: { type: "string", integer: true },
  decrby: { type: "string", integer: true },
  hset: { type: "hash" },
  hsetnx: { type: "hash" },
  hmset: { type: "hash" },
  hget: { type: "hash" },
  hmget: { type: "hash" },
  hgetall: { type: "hash" },
  hdel: { type: "hash" },
  hexists: { type: "hash" },
  hincrby: { type: "hash" },
  hincrbyfloat: { type: "hash" },
  hkeys: { type: "hash" },
  hvals: { type: "hash" },
  hlen: { type: "hash" },
  hstrlen: { type: "hash" },
  hrandfield: { type: "hash" },
  hscan: { type: "hash" },
};

const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";
const NOT_AN_INTEGER = "ERR value is not an integer or out of range";
const INTEGER = /^-?\d{1,19}$/;

/** Commands handled here rather than by the mock. */
const SCRIPT_COMMANDS = new Set(["eval", "eval_ro", "evalsha", "evalsha_ro", "script"]);

/**
 * Lua run before every script, to bring ioredis-mock's `redis` object closer to Redis:
 * - replies of `redis.call`/`redis.pcall` become real Lua tables (the mock hands out JS arrays, nested ones indexed
 *   from 0) with nil bulk strings as `false` (the mock gives JS nulls) and integers as Lua integers (not floats);
 * - `redis.call` raises the command's error message (the mock loses it) and `redis.pcall` returns `{err=…}`;
 * - `redis.status_reply`, `redis.error_reply`, a no-op `redis.log` and the LOG_* constants exist;
 * - the script body runs in a function so that its `{ok=…}`/`{err=…}` return value can be converted (epilogue).
 * Kept on the script's first line so that error line numbers stay those of the script.
 */
const LUA_KEY_RULES = Object.entries(KEY_RULES)
  .map(([name, rule]) => `${name}={'${rule.type}',${rule.integer ? "true" : "false"}}`)
  .join(",");

const SCRIPT_PRELUDE = [
  "local __upstash_pcall = redis.pcall;",
  `local __upstash_rules = {${LUA_KEY_RULES}};`,
  "local function __upstash_refusal(name, key)",
  "  local rule = type(name) == 'string' and __upstash_rules[string.lower(name)];",
  "  if not rule or key == nil then return nil end;",
  "  local held = tostring(__upstash_pcall('TYPE', key));",
  `  if held ~= 'none' and held ~= rule[1] then return '${WRONGTYPE}' end;`,
  "  if rule[2] and held == 'string' and not string.match(tostring(__upstash_pcall('GET', key)), '^%-?%d+$') then",
  `    return '${NOT_AN_INTEGER}'`,
  "  end;",
  "  return nil",
  "end;",
  "local function __upstash_isnull(x) return type(x) == 'userdata' and tostring(x) == 'null' end;",
  "local function __upstash_fix(v, shimmed)",
  "  if type(v) == 'number' then return math.tointeger(v) or v end;",
  "  if type(v) ~= 'userdata' then return v end;",
  "  if __upstash_isnull(v) then return false end;",
  "  local t, first, last = {}, 1, #v;",
  "  if not shimmed then first, last = 0, #v - 1 end;",
  "  for i = first, last do local x = v[i]; if x == nil or __upstash_isnull(x) then x = false end; t[#t + 1] = __upstash_fix(x, false) end;",
  "  return t",
  "end;",
  "local function __upstash_run(raise, ...)",
  "  local refusal = __upstash_refusal(...);",
  "  if refusal then if raise then error(refusal, 0) end; return { err = refusal } end;",
  "  local r = __upstash_pcall(...);",
  "  if type(r) == 'userdata' and r[0] == 'error' then",
  "    local msg = string.gsub(tostring(r[1]), '^%a*Error: ', '');",
  "    if string.find(msg, '^Key .* does not contain a ') then msg = 'WRONGTYPE Operation against a key holding the wrong kind of value' end;",
  "    if raise then error(msg, 0) end;",
  "    return { err = msg }",
  "  end;",
  "  return __upstash_fix(r, true)",
  "end;",
  "redis.call = function(...) return __upstash_run(true, ...) end;",
  "redis.pcall = function(...) return __upstash_run(false, ...) end;",
  "redis.status_reply = function(s) return { ok = s } end;",
  "redis.error_reply = function(s) return { err = s } end;",
  "redis.log = function() end; redis.setresp = function() end;",
  "redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3;",
  "local __upstash_rest_result = (function() ",
].join(" ");
/**
 * Converts the script's return value as Redis does, into a string that the mock hands back untouched (see
 * decodeScriptReply): `n` nil, `i<integer>`, `s<hex bytes>` a bulk string, `o<hex>` a status, `e<hex>` an error,
 * `a<count>` an array followed by its items; space-separated. A top-level `{err=…}` is raised, as Redis answers it.
 */
const SCRIPT_EPILOGUE = `
end)()
local function __upstash_hex(s)
  return (string.gsub(s, ".", function(c) return string.format("%02x", string.byte(c)) end))
end
local function __upstash_encode(v, out)
  local t = type(v)
  if t == "number" then
    local n = math.tointeger(v >= 0 and math.floor(v) or math.ceil(v))
    out[#out + 1] = n and ("i" .. n) or "n"
  elseif t == "string" then out[#out + 1] = "s" .. __upstash_hex(v)
  elseif v == true then out[#out + 1] = "i1"
  elseif t == "table" then
    local e, ok = rawget(v, "err"), rawget(v, "ok")
    if e ~= nil then out[#out + 1] = "e" .. __upstash_hex(tostring(e))
    elseif ok ~= nil then out[#out + 1] = "o" .. __upstash_hex(tostring(ok))
    else
      local n = 0
      while v[n + 1] ~= nil do n = n + 1 end
      out[#out + 1] = "a" .. n
      for i = 1, n do __upstash_encode(v[i], out) end
    end
  else out[#out + 1] = "n" end
end
if type(__upstash_rest_result) == "table" then
  local e = rawget(__upstash_rest_result, "err")
  if e ~= nil then error(e, 0) end
end
local __upstash_out = {}
__upstash_encode(__upstash_rest_result, __upstash_out)
return table.concat(__upstash_out, " ")`;

/** Reads back a script's reply serialised by SCRIPT_EPILOGUE. */
function decodeScriptReply(encoded: unknown): RedisReply {
  if (typeof encoded !== "string") throw new Error("the script's reply was not serialised");
  const tokens = encoded.split(" ");
  let next = 0;
  const read = (): RedisReply => {
    const token = tokens[next++] ?? "n";
    const body = token.slice(1);
    switch (token[0]) {
      case "i":
        return Number(body);
      case "s":
        return Buffer.from(body, "hex");
      case "o":
        return Buffer.from(body, "hex").toString("utf8");
      case "e":
        return new Error(Buffer.from(body, "hex").toString("utf8"));
      case "a":
        return Array.from({ length: Number(body) }, read);
      default:
        return null;
    }
  };
  return read();
}

const VM_ERROR_PREFIX = "Error trying to loading or executing lua code string in VM: ";

function sha1(text: string): string {
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/** Normalises an error thrown by ioredis-mock into a Redis-style error message. */
function redisErrorMessage(err: unknown): string {
  let text = err instanceof Error ? err.message : String(err);
  const fromScript = text.startsWith(VM_ERROR_PREFIX);
  if (fromScript) text = text.slice(VM_ERROR_PREFIX.length);
  if (fromScript && text === "null") {
    return "ERR Error running script: a redis.call() failed (the in-memory engine does not keep the original error)";
  }
  if (/^Key .* does not contain a (list|set|sorted set)$/.test(text)) {
    return "WRONGTYPE Operation against a key holding the wrong kind of value";
  }
  if (fromScript && text.startsWith("[string ")) return `ERR Error running script: ${text}`;
  if (/^[A-Z][A-Z0-9_-]*( |$)/.test(text)) return text;
  return `ERR ${text}`;
}

function unknownCommand(cmd: RedisCommand): RedisCommandError {
  const [name = "", ...args] = cmd;
  const preview = args
    .slice(0, 3)
    .map((arg) => `'${arg.slice(0, 64)}' `)
    .join("");
  return new RedisCommandError(
    `ERR unknown command '${name}', with args beginning with: ${preview}(not supported by the in-memory engine; install redis-server)`,
  );
}

/**
 * Converts a value returned by ioredis-mock into the RESP shape Redis would send: nil for undefined/false,
 * 1 for true, flat arrays for objects (HGETALL).
 */
function toReply(value: unknown): RedisReply {
  if (value === null || value === undefined || value === false) return null;
  if (value === true) return 1;
  if (typeof value === "number" || typeof value === "string" || Buffer.isBuffer(value) || value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((item) => toReply(item));
  if (typeof value === "object") {
    return Object.entries(value).flatMap(([key, item]): RedisReply[] => [key, toReply(item)]);
  }
  return String(value);
}

function parseNumKeys(raw: string | undefined, argCount: number): number {
  if (raw === undefined || !/^-?\d+$/.test(raw)) throw new RedisCommandError("ERR value is not an integer or out of range");
  const numKeys = Number(raw);
  if (numKeys < 0) throw new RedisCommandError("ERR Number of keys can't be negative");
  if (numKeys > argCount) throw new RedisCommandError("ERR Number of keys can't be greater than number of args");
  return numKeys;
}

/**
 * Where a command may carry option keywords. ioredis-mock only recognises them in upper case (`NX`, `EX`,
 * `WITHSCORES`, …) while @upstash/redis sends them in lower case, so they are upper-cased at these positions only
 * (never keys or values). `from` is the first argument index after the command name that may hold an option;
 * `pairs`: options sit at every other position (`MATCH p COUNT n`); `leading`: only the run of keywords at `from`;
 * `to`: last index that may hold an option.
 */
interface OptionRule {
  keywords: readonly string[];
  from: number | ((args: readonly string[]) => number);
  pairs?: boolean;
  leading?: boolean;
  to?: number;
}

const EXPIRE_RULE: OptionRule = { from: 2, keywords: ["NX", "XX", "GT", "LT"] };
const ZSTORE_RULE: OptionRule = { from: (args) => 2 + Number(args[1] ?? 0), keywords: ["WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX"] };
const ZCOMBINE_RULE: OptionRule = {
  from: (args) => 1 + Number(args[0] ?? 0),
  keywords: ["WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX", "WITHSCORES"],
};
const OPTION_RULES: Record<string, OptionRule> = {
  set: { from: 2, keywords: ["NX", "XX", "GET", "EX", "PX", "EXAT", "PXAT", "KEEPTTL"] },
  getex: { from: 1, keywords: ["EX", "PX", "EXAT", "PXAT", "PERSIST"] },
  expire: EXPIRE_RULE,
  pexpire: EXPIRE_RULE,
  expireat: EXPIRE_RULE,
  pexpireat: EXPIRE_RULE,
  zadd: { from: 1, leading: true, keywords: ["NX", "XX", "GT", "LT", "CH", "INCR"] },
  zrange: { from: 3, keywords: ["BYSCORE", "BYLEX", "REV", "LIMIT", "WITHSCORES"] },
  zrangebyscore: { from: 3, keywords: ["WITHSCORES", "LIMIT"] },
  zrevrangebyscore: { from: 3, keywords: ["WITHSCORES", "LIMIT"] },
  zrangebylex: { from: 3, keywords: ["LIMIT"] },
  zrevrangebylex: { from: 3, keywords: ["LIMIT"] },
  zrevrange: { from: 3, keywords: ["WITHSCORES"] },
  zrandmember: { from: 2, keywords: ["WITHSCORES"] },
  hrandfield: { from: 2, keywords: ["WITHVALUES"] },
  zunionstore: ZSTORE_RULE,
  zinterstore: ZSTORE_RULE,
  zunion: ZCOMBINE_RULE,
  zinter: ZCOMBINE_RULE,
  zdiff: ZCOMBINE_RULE,
  scan: { from: 1, pairs: true, keywords: ["MATCH", "COUNT", "TYPE"] },
  hscan: { from: 2, pairs: true, keywords: ["MATCH", "COUNT"] },
  sscan: { from: 2, pairs: true, keywords: ["MATCH", "COUNT"] },
  zscan: { from: 2, pairs: true, keywords: ["MATCH", "COUNT"] },
  lpos: { from: 2, pairs: true, keywords: ["RANK", "COUNT", "MAXLEN"] },
  linsert: { from: 1, to: 1, keywords: ["BEFORE", "AFTER"] },
  lmove: { from: 2, to: 3, keywords: ["LEFT", "RIGHT"] },
  bitcount: { from: 3, keywords: ["BYTE", "BIT"] },
  copy: { from: 2, keywords: ["DB", "REPLACE"] },
  flushall: { from: 0, keywords: ["ASYNC", "SYNC"] },
  flushdb: { from: 0, keywords: ["ASYNC", "SYNC"] },
};

/** Upper-cases the option keywords of a command (see OPTION_RULES); other arguments are left untouched. */
function normaliseOptions(name: string, args: readonly string[]): string[] {
  const rule = OPTION_RULES[name];
  const out = [...args];
  if (!rule) return out;
  const from = typeof rule.from === "number" ? rule.from : rule.from(args);
  if (!Number.isInteger(from) || from < 0) return out;
  const to = Math.min(rule.to ?? out.length - 1, out.length - 1);
  for (let i = from; i <= to; i += rule.pairs ? 2 : 1) {
    const upper = (out[i] ?? "").toUpperCase();
    if (rule.keywords.includes(upper)) out[i] = upper;
    else if (rule.leading) break;
  }
  return out;
}

/** Drops a Redis 7 shebang line (`#!lua flags=…`), which fengari cannot parse, keeping line numbers. */
function stripShebang(script: string): string {
  if (!script.startsWith("#!")) return script;
  const newline = script.indexOf("\n");
  return newline === -1 ? "" : script.slice(newline);
}

/** Engine backed by an isolated ioredis-mock instance. */
export class MemoryEngine implements CommandEngine {
  readonly kind = "memory";
  private readonly mock: Redis;
  private readonly methods: Record<string, unknown>;
  private readonly scripts = new Map<string, string>();
  private tail: Promise<void> = Promise.resolve();
  private closing: Promise<void> | null = null;

  constructor() {
    // ioredis-mock shares data between instances with the same host:port; a unique host isolates this one.
    this.mock = new RedisMock({ host: `upstash-rest-memory-${randomUUID()}`, port: 6379 });
    this.methods = this.mock as unknown as Record<string, unknown>;
  }

  command(cmd: RedisCommand): Promise<RedisReply> {
    return this.exclusive(() => this.run(cmd));
  }

  pipeline(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    return this.exclusive(() => this.runAll(cmds));
  }

  transaction(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    return this.exclusive(async () => {
      // Like Redis, refuse the whole transaction when a command is unknown at queue time.
      const unknown = cmds.find((cmd) => !this.supports(cmd));
      if (unknown) {
        throw new RedisCommandError(`EXECABORT Transaction discarded because of previous errors. ${unknownCommand(unknown).message}`);
      }
      // Commands run back to back while holding the lock, so no other request interleaves.
      return this.runAll(cmds);
    });
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.tail;
      try {
        await this.mock.flushall(); // the mock's shared context would otherwise keep the data for the process lifetime
      } finally {
        this.mock.disconnect();
        this.scripts.clear();
      }
    })();
    return this.closing;
  }

  /** Serialises all work on this engine (the mock itself is synchronous, but awaits would let requests interleave). */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) return Promise.reject(new EngineUnavailableError("Redis is unavailable: the endpoint is closing"));
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  private async runAll(cmds: readonly RedisCommand[]): Promise<CommandOutcome[]> {
    const outcomes: CommandOutcome[] = [];
    for (const cmd of cmds) {
      try {
        outcomes.push({ ok: true, value: await this.run(cmd) });
      } catch (err) {
        // Whatever fails, fails for this command only: a pipeline or a transaction answers per command.
        if (err instanceof EngineUnavailableError) throw err;
        const error =
          err instanceof RedisCommandError ? err.message : `ERR internal error of the in-memory engine: ${redisErrorMessage(err)}`;
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }

  private supports(cmd: RedisCommand): boolean {
    const name = (cmd[0] ?? "").toLowerCase();
    return SCRIPT_COMMANDS.has(name) || (KNOWN_COMMANDS.has(name) && typeof this.methods[name] === "function");
  }

  private async run(cmd: RedisCommand): Promise<RedisReply> {
    const [rawName = "", ...args] = cmd;
    const name = rawName.toLowerCase();
    switch (name) {
      case "eval":
      case "eval_ro": {
        const [script = "", numKeys, ...rest] = args;
        this.scripts.set(sha1(script), script);
        return this.runScript(script, numKeys, rest);
      }
      case "evalsha":
      case "evalsha_ro": {
        const [sha = "", numKeys, ...rest] = args;
        const script = this.scripts.get(sha.toLowerCase());
        if (script === undefined) throw new RedisCommandError("NOSCRIPT No matching script. Please use EVAL.");
        return this.runScript(script, numKeys, rest);
      }
      case "script":
        return this.script(args);
      default:
        break;
    }
    const method = this.methods[name];
    if (!KNOWN_COMMANDS.has(name) || typeof method !== "function") throw unknownCommand(cmd);
    await this.checkKey(name, args[0]);
    let result: unknown;
    try {
      result = await Reflect.apply(method, this.mock, normaliseOptions(name, args));
    } catch (err) {
      if (err instanceof TypeError && err.message.startsWith("Unsupported command")) throw unknownCommand(cmd);
      throw new RedisCommandError(redisErrorMessage(err));
    }
    return toReply(result);
  }

  /** Refuses a command on a key of the wrong type (KEY_RULES), as Redis does and ioredis-mock does not. */
  private async checkKey(name: string, key: string | undefined): Promise<void> {
    const rule = KEY_RULES[name];
    if (!rule || key === undefined) return;
    const held = await this.mock.type(key);
    if (held !== "none" && held !== rule.type) throw new RedisCommandError(WRONGTYPE);
    if (rule.integer && held === "string" && !INTEGER.test((await this.mock.get(key)) ?? "")) throw new RedisCommandError(NOT_AN_INTEGER);
  }

  private async runScript(script: string, rawNumKeys: string | undefined, rest: string[]): Promise<RedisReply> {
    const numKeys = parseNumKeys(rawNumKeys, rest.length);
    let result: unknown;
    try {
      result = await this.mock.eval(`${SCRIPT_PRELUDE}${stripShebang(script)}${SCRIPT_EPILOGUE}`, numKeys, ...rest);
    } catch (err) {
      throw new RedisCommandError(redisErrorMessage(err));
    }
    return decodeScriptReply(result);
  }

  private script(args: string[]): RedisReply {
    const [sub = "", ...rest] = args;
    switch (sub.toLowerCase()) {
      case "load": {
        const script = rest[0];
        if (script === undefined || rest.length !== 1) {
          throw new RedisCommandError("ERR wrong number of arguments for 'script|load' command");
        }
        const sha = sha1(script);
        this.scripts.set(sha, script);
        return sha;
      }
      case "exists":
        if (rest.length === 0) throw new RedisCommandError("ERR wrong number of arguments for 'script|exists' command");
        return rest.map((sha) => (this.scripts.has(sha.toLowerCase()) ? 1 : 0));
      case "flush":
        this.scripts.clear();
        return "OK";
      default:
        throw new RedisCommandError(`ERR unknown subcommand '${sub}'. Try SCRIPT HELP.`);
    }
  }
}
