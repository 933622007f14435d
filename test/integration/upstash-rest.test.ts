import { execFileSync, spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort, findRedisServerBinary } from "../../dev/redis-process.ts";
import { startUpstashRest } from "../../dev/upstash-rest.ts";
import type { UpstashRestServer } from "../../dev/upstash-rest.ts";

const TOKEN = "upstash-rest-test-token";
const ENGINES = ["redis-server", "memory"] as const;
const REDIS_SERVER = findRedisServerBinary();
const NO_REDIS_SERVER = REDIS_SERVER === null;
const SKIP_REASON = "skipped: redis-server is not on the PATH (apt-get install redis-server; CI has it)";
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

interface RawResponse {
  status: number;
  json: unknown;
}

/** POSTs a raw body to the endpoint, as @upstash/redis does, and returns the status and parsed JSON. */
async function post(
  base: string,
  path: string,
  body: string,
  headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` },
  method = "POST",
): Promise<RawResponse> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { "content-type": "application/json", ...headers },
    ...(method === "GET" ? {} : { body }),
  });
  const text = await response.text();
  return { status: response.status, json: JSON.parse(text) };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

/** pids of the redis-server processes whose command line names the port (pgrep -f). */
function redisPidsOnPort(port: number): number[] {
  try {
    return execFileSync("pgrep", ["-f", `redis-server 127.0.0.1:${port}`], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Direct children of this test process. */
function ownChildren(): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(process.pid)], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number)
      .sort();
  } catch {
    return [];
  }
}

/** Asks the endpoint's Redis for its pid and port (INFO server), without base64. */
async function redisServerInfo(base: string, token = TOKEN): Promise<{ pid: number; port: number }> {
  const res = await post(base, "/", JSON.stringify(["INFO", "server"]), { authorization: `Bearer ${token}` });
  expect(res.status).toBe(200);
  const info = String((res.json as { result: unknown }).result);
  const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
  const port = Number(/tcp_port:(\d+)/.exec(info)?.[1]);
  expect(pid).toBeGreaterThan(0);
  expect(port).toBeGreaterThan(0);
  return { pid, port };
}

describe.each(ENGINES)("Upstash REST endpoint, %s engine", (engine) => {
  describe.skipIf(engine === "redis-server" && NO_REDIS_SERVER)(
    engine === "redis-server" && NO_REDIS_SERVER ? SKIP_REASON : "with the real @upstash/redis client",
    () => {
      let server: UpstashRestServer;
      /** Default client: base64 responses and auto-pipelining, as the app uses it. */
      let redis: Redis;
      /** One HTTP request per command and raw (not JSON-parsed) values, for exact assertions. */
      let plain: Redis;

      beforeAll(async () => {
        server = await startUpstashRest({ port: 0, token: TOKEN, engine });
        redis = new Redis({ url: server.url, token: TOKEN, retry: false });
        plain = new Redis({
          url: server.url,
          token: TOKEN,
          retry: false,
          enableAutoPipelining: false,
          automaticDeserialization: false,
        });
      });

      afterAll(async () => {
        await server?.close();
      });

      it("reports its engine, port and url", () => {
        expect(server.engine).toBe(engine);
        expect(server.port).toBeGreaterThan(0);
        expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
      });

      it("runs SET with EX/NX, GET and TTL", async () => {
        expect(await plain.set("s:k", "v1", { ex: 100, nx: true })).toBe("OK");
        expect(await plain.set("s:k", "v2", { ex: 100, nx: true })).toBeNull();
        expect(await plain.get("s:k")).toBe("v1");
        const ttl = await plain.ttl("s:k");
        expect(ttl).toBeGreaterThan(90);
        expect(ttl).toBeLessThanOrEqual(100);
        expect(await plain.get("s:missing")).toBeNull();
      });

      it("runs HSET and HGETALL", async () => {
        expect(await redis.hset("h:user", { name: "Hera", visits: 3 })).toBe(2);
        expect(await redis.hgetall("h:user")).toEqual({ name: "Hera", visits: 3 });
        expect(await plain.hget("h:user", "name")).toBe("Hera");
        expect(await redis.hgetall("h:missing")).toBeNull();
      });

      it("runs LPUSH and LRANGE", async () => {
        expect(await plain.lpush("l:list", "a", "b", "c")).toBe(3);
        expect(await plain.lrange("l:list", 0, -1)).toEqual(["c", "b", "a"]);
        expect(await plain.lrange("l:list", 1, 1)).toEqual(["b"]);
      });

      it("runs INCR, INCRBY and DECR", async () => {
        expect(await plain.incr("n:counter")).toBe(1);
        expect(await plain.incr("n:counter")).toBe(2);
        expect(await plain.incrby("n:counter", 10)).toBe(12);
        expect(await plain.decr("n:counter")).toBe(11);
        expect(await redis.get("n:counter")).toBe(11);
      });

      it("runs DEL, EXPIRE and TTL", async () => {
        await plain.set("e:key", "x");
        expect(await plain.ttl("e:key")).toBe(-1);
        expect(await plain.expire("e:key", 50)).toBe(1);
        const ttl = await plain.ttl("e:key");
        expect(ttl).toBeGreaterThan(40);
        expect(ttl).toBeLessThanOrEqual(50);
        expect(await plain.del("e:key", "e:missing")).toBe(1);
        expect(await plain.exists("e:key")).toBe(0);
        expect(await plain.ttl("e:key")).toBe(-2);
        expect(await plain.expire("e:key", 50)).toBe(0);
      });

      it("round-trips JSON values", async () => {
        const value = { user: { id: 42, name: "テスト" }, tags: ["a", "b"], ok: true, none: null, ratio: 1.5 };
        expect(await redis.set("j:value", value)).toBe("OK");
        expect(await redis.get("j:value")).toEqual(value);
        const raw = await post(server.url, "/", JSON.stringify(["GET", "j:value"]));
        expect(raw).toEqual({ status: 200, json: { result: JSON.stringify(value) } });
      });

      it("round-trips Japanese, emoji and binary-ish strings through base64 and plain responses", async () => {
        const samples = [
          "日本語のテキスト、こんにちは世界",
          "絵文字🎌👨‍👩‍👧 と結合文字 é",
          '\u0000\u0001\u0002\u007f\u0080\u00ff\t\r\n"\\/',
          "OK",
          "T0s=",
          "null",
          "  spaces  ",
        ];
        const noBase64 = new Redis({
          url: server.url,
          token: TOKEN,
          retry: false,
          responseEncoding: false,
          enableAutoPipelining: false,
          automaticDeserialization: false,
        });
        const keys = samples.map((_, i) => `u:${i}`);
        for (const [i, sample] of samples.entries()) {
          expect(await plain.set(`u:${i}`, sample)).toBe("OK");
          expect(await plain.get(`u:${i}`)).toBe(sample);
          expect(await noBase64.get(`u:${i}`)).toBe(sample);
        }
        expect(await plain.mget(...keys)).toEqual(samples);
        expect(await noBase64.mget(...keys)).toEqual(samples);
        expect(await plain.strlen("u:0")).toBe(engine === "memory" ? samples[0]?.length : Buffer.byteLength(samples[0] ?? ""));
      });

      it("encodes replies on the wire exactly as Upstash does", async () => {
        const base64 = { authorization: `Bearer ${TOKEN}`, "upstash-encoding": "base64" };
        const text = "日本語 ✓";
        expect(await post(server.url, "/", JSON.stringify(["SET", "w:text", text]), base64)).toEqual({
          status: 200,
          json: { result: "OK" },
        });
        expect(await post(server.url, "/", JSON.stringify(["GET", "w:text"]), base64)).toEqual({
          status: 200,
          json: { result: Buffer.from(text, "utf8").toString("base64") },
        });
        expect(await post(server.url, "/", JSON.stringify(["GET", "w:text"]))).toEqual({ status: 200, json: { result: text } });
        expect(await post(server.url, "/", JSON.stringify(["INCR", "w:n"]), base64)).toEqual({ status: 200, json: { result: 1 } });
        expect(await post(server.url, "/", JSON.stringify(["GET", "w:missing"]), base64)).toEqual({ status: 200, json: { result: null } });
        // numbers and booleans in the command are sent as their string form
        expect(await post(server.url, "/", JSON.stringify(["RPUSH", "w:list", 42, true, "OK"]), base64)).toEqual({
          status: 200,
          json: { result: 3 },
        });
        expect(await post(server.url, "/", JSON.stringify(["LRANGE", "w:list", 0, -1]), base64)).toEqual({
          status: 200,
          json: { result: ["NDI=", "dHJ1ZQ==", "T0s="] },
        });
        expect(
          await post(
            server.url,
            "/pipeline",
            JSON.stringify([
              ["SET", "w:p", "v"],
              ["GET", "w:p"],
              ["GET", "w:missing"],
            ]),
            base64,
          ),
        ).toEqual({
          status: 200,
          json: [{ result: "OK" }, { result: "dg==" }, { result: null }],
        });
      });

      it.skipIf(engine === "memory")(
        "base64-encodes non-UTF-8 bytes exactly (redis-server only: the memory engine stores JS strings)",
        async () => {
          const base64 = { authorization: `Bearer ${TOKEN}`, "upstash-encoding": "base64" };
          const res = await post(server.url, "/", JSON.stringify(["EVAL", "return string.char(0, 255, 128, 10)", 0]), base64);
          expect(res).toEqual({ status: 200, json: { result: Buffer.from([0, 255, 128, 10]).toString("base64") } });
        },
      );

      it("runs pipelines in one request, with per-command errors", async () => {
        server.resetRequestCount();
        const pipeline = redis.pipeline();
        pipeline.set("p:a", 1);
        pipeline.incr("p:a");
        pipeline.get("p:a");
        pipeline.lpush("p:list", "x", "y");
        pipeline.hset("p:hash", { field: "value" });
        pipeline.hget("p:hash", "field");
        expect(await pipeline.exec()).toEqual(["OK", 2, 2, 2, 1, "value"]);
        expect(server.requestCount()).toBe(1);

        await plain.set("p:text", "text");
        const withError = await redis.pipeline().set("p:b", "1").lpush("p:text", "x").incr("p:b").exec({ keepErrors: true });
        expect(withError[0]).toMatchObject({ result: "OK" });
        expect(withError[1]?.error).toMatch(/WRONGTYPE/);
        expect(withError[2]).toMatchObject({ result: 2 });

        const raw = await post(
          server.url,
          "/pipeline",
          JSON.stringify([
            ["SET", "p:r", "1"],
            ["NOPE", "x"],
            ["INCR", "p:r"],
            ["SUBSCRIBE", "c"],
          ]),
        );
        expect(raw.status).toBe(200);
        expect(raw.json).toEqual([
          { result: "OK" },
          { error: expect.stringMatching(/^ERR unknown command 'NOPE'/) },
          { result: 2 },
          { error: expect.stringMatching(/^ERR Command is not allowed: SUBSCRIBE/) },
        ]);
      });

      it("runs MULTI/EXEC transactions atomically", async () => {
        const tx = redis.multi();
        tx.set("m:a", "1");
        tx.incr("m:a");
        tx.get("m:a");
        expect(await tx.exec()).toEqual(["OK", 2, 2]);

        // a runtime error fails only its command, as in Redis
        const partial = await post(
          server.url,
          "/multi-exec",
          JSON.stringify([
            ["SET", "m:s", "text"],
            ["LPUSH", "m:s", "x"],
            ["SET", "m:after", "1"],
          ]),
        );
        expect(partial.status).toBe(200);
        expect(partial.json).toEqual([{ result: "OK" }, { error: expect.stringMatching(/^WRONGTYPE/) }, { result: "OK" }]);

        // a queue-time error aborts the whole transaction
        const aborted = await post(
          server.url,
          "/multi-exec",
          JSON.stringify([
            ["SET", "m:aborted", "1"],
            ["NOPE", "x"],
          ]),
        );
        expect(aborted.status).toBe(400);
        expect(aborted.json).toEqual({ error: expect.stringMatching(/^EXECABORT/) });
        expect(await plain.exists("m:aborted")).toBe(0);

        // concurrent transactions never interleave: each sees two consecutive increments
        const results = await Promise.all(
          Array.from({ length: 25 }, () =>
            post(
              server.url,
              "/multi-exec",
              JSON.stringify([
                ["INCR", "m:counter"],
                ["INCR", "m:counter"],
                ["INCR", "m:counter"],
              ]),
            ),
          ),
        );
        const seen: number[] = [];
        for (const res of results) {
          expect(res.status).toBe(200);
          const values = (res.json as { result: number }[]).map((item) => item.result);
          expect(values[1]).toBe((values[0] ?? 0) + 1);
          expect(values[2]).toBe((values[0] ?? 0) + 2);
          seen.push(...values);
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 75 }, (_, i) => i + 1));
      });

      it("runs Lua with EVAL, converting replies as Redis does", async () => {
        const script =
          "redis.call('SET', KEYS[1], ARGV[1]); return {KEYS[1], redis.call('GET', KEYS[1]), redis.call('INCRBY', KEYS[2], ARGV[2]), 3.9, true}";
        expect(await plain.eval(script, ["ev:a", "ev:n"], ["value", "5"])).toEqual(["ev:a", "value", 5, 3, 1]);
        expect(await plain.get("ev:a")).toBe("value");
        expect(await plain.eval("return redis.call('GET', KEYS[1]) == false", ["ev:missing"], [])).toBe(1);
        expect(await plain.eval("return nil", [], [])).toBeNull();
        expect(await plain.eval("return redis.status_reply('FINE')", [], [])).toBe("FINE");
        await expect(plain.eval("return redis.error_reply('MYERR custom failure')", [], [])).rejects.toThrow(/MYERR custom failure/);
        await expect(plain.eval("this is not lua", [], [])).rejects.toThrow(/ERR/);
      });

      it("runs Lua with SCRIPT LOAD, EVALSHA and createScript", async () => {
        const source = "return ARGV[1] .. ':' .. KEYS[1]";
        const sha = await redis.scriptLoad(source);
        expect(sha).toBe(createHash("sha1").update(source).digest("hex"));
        expect(await redis.scriptExists(sha, "0".repeat(40))).toEqual([1, 0]);
        expect(await plain.evalsha(sha, ["key"], ["arg"])).toBe("arg:key");
        await expect(plain.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);

        const greeting = `return 'hello ' .. ARGV[1] .. ' ${engine}'`;
        const script = plain.createScript<string>(greeting);
        expect(await script.exec([], ["world"])).toBe(`hello world ${engine}`); // EVALSHA fails with NOSCRIPT, then EVAL
        expect(await plain.evalsha(createHash("sha1").update(greeting).digest("hex"), [], ["again"])).toBe(`hello again ${engine}`);
      });

      it("accepts Upstash shebang flags that redis-server does not know, keeping the client's sha1", async () => {
        const source = `#!lua flags=allow-key-locking,no-writes\nreturn ARGV[1] .. '${engine}'`;
        const sha = await redis.scriptLoad(source);
        expect(sha).toBe(createHash("sha1").update(source).digest("hex"));
        expect(await redis.scriptExists(sha)).toEqual([1]);
        expect(await plain.evalsha(sha, [], ["a-"])).toBe(`a-${engine}`);
        expect(await plain.eval(source, [], ["b-"])).toBe(`b-${engine}`);
        const tx = await post(
          server.url,
          "/multi-exec",
          JSON.stringify([
            ["EVALSHA", sha, 0, "c-"],
            ["EVAL", source, 0, "d-"],
          ]),
        );
        expect(tx).toEqual({ status: 200, json: [{ result: `c-${engine}` }, { result: `d-${engine}` }] });
      });

      it("gives scripts Redis-shaped redis.call and redis.pcall replies", async () => {
        await plain.set("lua:k1", "v");
        await plain.del("lua:hash", "lua:n");
        expect(
          await plain.eval("local b = redis.call('HMGET', KEYS[1], 'a', 'b'); return {b[1] == false, b[2] == false, #b}", ["lua:hash"], []),
        ).toEqual([1, 1, 2]);
        expect(await plain.eval("local s = redis.call('SCAN', '0', 'MATCH', 'lua:k*', 'COUNT', 1000); return s[2]", [], [])).toEqual([
          "lua:k1",
        ]);
        expect(await plain.eval("return tostring(redis.call('INCRBY', KEYS[1], 5))", ["lua:n"], [])).toBe("5");
        expect(await plain.eval("local r = redis.pcall('LPUSH', KEYS[1], 'x'); return r.err", ["lua:k1"], [])).toMatch(/^WRONGTYPE/);
        await expect(plain.eval("return redis.call('LPUSH', KEYS[1], 'x')", ["lua:k1"], [])).rejects.toThrow(/WRONGTYPE/);
      });

      it("surfaces Redis errors as errors (HTTP 400)", async () => {
        await plain.set("err:text", "text");
        await expect(plain.lpush("err:text", "x")).rejects.toThrow(/WRONGTYPE/);
        await expect(redis.lpush("err:text", "x")).rejects.toThrow(/WRONGTYPE/);
        const unknown = await post(server.url, "/", JSON.stringify(["NOPE", "x"]));
        expect(unknown).toEqual({ status: 400, json: { error: expect.stringMatching(/^ERR unknown command 'NOPE'/) } });
        const module = await post(server.url, "/", JSON.stringify(["JSON.SET", "k", "$", "{}"]));
        expect(module).toEqual({ status: 400, json: { error: expect.stringMatching(/^ERR unknown command/) } });
        const refused = await post(server.url, "/", JSON.stringify(["SELECT", "1"]));
        expect(refused).toEqual({ status: 400, json: { error: expect.stringMatching(/^ERR Command is not allowed: SELECT/) } });
        // the endpoint keeps working after errors
        expect(await plain.get("err:text")).toBe("text");
      });

      it("answers 401 to a bad or missing token", async () => {
        const wrong = new Redis({ url: server.url, token: "wrong-token", retry: false, enableAutoPipelining: false });
        await expect(wrong.get("s:k")).rejects.toThrow(/Unauthorized/);
        const command = JSON.stringify(["GET", "s:k"]);
        expect(await post(server.url, "/", command, { authorization: "Bearer wrong-token" })).toEqual({
          status: 401,
          json: { error: "Unauthorized" },
        });
        expect(await post(server.url, "/", command, {})).toEqual({ status: 401, json: { error: "Unauthorized" } });
        expect(await post(server.url, "/", command, { authorization: TOKEN })).toEqual({ status: 401, json: { error: "Unauthorized" } });
        expect(await post(server.url, "/pipeline", JSON.stringify([["GET", "s:k"]]), { authorization: "Bearer x" })).toEqual({
          status: 401,
          json: { error: "Unauthorized" },
        });
        expect(await post(server.url, "/", command)).toEqual({ status: 200, json: { result: "v1" } });
      });

      it("answers 400 to malformed bodies, 404 to unknown paths, 405 to other methods", async () => {
        const malformed: [path: string, body: string][] = [
          ["/", "not json"],
          ["/", '{"command":"GET"}'],
          ["/", "[]"],
          ["/", '["SET","k",{"nested":true}]'],
          ["/", '["SET","k",null]'],
          ["/pipeline", '["SET","k","v"]'],
          ["/pipeline", "[]"],
          ["/multi-exec", "[[]]"],
          ["/multi-exec", ""],
        ];
        for (const [path, body] of malformed) {
          const res = await post(server.url, path, body);
          expect({ path, body, status: res.status }).toEqual({ path, body, status: 400 });
          expect(res.json).toEqual({ error: expect.stringMatching(/^ERR /) });
        }
        const tooLarge = await post(server.url, "/", JSON.stringify(["SET", "big", "x".repeat(11 * 1024 * 1024)]));
        expect(tooLarge).toEqual({ status: 413, json: { error: expect.stringMatching(/larger than/) } });
        expect(await post(server.url, "/nope", "[]")).toEqual({ status: 404, json: { error: "Not Found" } });
        expect(await post(server.url, "/", "", undefined, "GET")).toEqual({ status: 405, json: { error: "ERR only POST is supported" } });
        expect(await plain.exists("big")).toBe(0);
        expect(await post(server.url, "/", JSON.stringify(["PING"]))).toEqual({ status: 200, json: { result: "PONG" } });
      });

      it("counts HTTP requests", async () => {
        server.resetRequestCount();
        expect(server.requestCount()).toBe(0);
        await plain.set("c:a", "1");
        await plain.get("c:a");
        await plain.pipeline().incr("c:a").incr("c:a").incr("c:a").exec();
        await post(server.url, "/", "[]", {}); // rejected requests count too
        expect(server.requestCount()).toBe(4);
        server.resetRequestCount();
        expect(server.requestCount()).toBe(0);
      });

      it("serves the auto-pipelining client", async () => {
        const [set, incremented, value] = await Promise.all([redis.set("ap:a", 1), redis.incr("ap:a"), redis.get("ap:a")]);
        expect([set, incremented, value]).toEqual(["OK", 2, 2]);
      });

      it("supports @upstash/ratelimit slidingWindow", async () => {
        const prefix = `rl:sliding:${engine}`;
        const limiter = new Ratelimit({
          redis,
          limiter: Ratelimit.slidingWindow(3, "60 s"),
          prefix,
          analytics: false,
          ephemeralCache: false,
        });
        const results = [];
        for (let i = 0; i < 4; i++) results.push(await limiter.limit("user-1"));
        expect(results.map((r) => r.success)).toEqual([true, true, true, false]);
        expect(results.map((r) => r.remaining)).toEqual([2, 1, 0, 0]);
        expect(results[0]?.limit).toBe(3);
        expect(results[0]?.reset).toBeGreaterThan(Date.now());
        expect((await limiter.limit("user-2")).success).toBe(true);
        expect((await redis.keys(`${prefix}:*`)).length).toBeGreaterThan(0);
      });

      it("supports @upstash/ratelimit fixedWindow", async () => {
        const prefix = `rl:fixed:${engine}`;
        const limiter = new Ratelimit({
          redis,
          limiter: Ratelimit.fixedWindow(2, "60 s"),
          prefix,
          analytics: false,
          ephemeralCache: false,
        });
        const results = [];
        for (let i = 0; i < 3; i++) results.push(await limiter.limit("user-1"));
        expect(results.map((r) => r.success)).toEqual([true, true, false]);
        expect(results.map((r) => r.remaining)).toEqual([1, 0, 0]);
        expect((await limiter.getRemaining("user-1")).remaining).toBe(0);
        // the script is cached: one EVALSHA round trip per call, no NOSCRIPT + EVAL fallback
        server.resetRequestCount();
        expect((await limiter.limit("user-1")).success).toBe(false);
        expect(server.requestCount()).toBe(1);
        expect((await limiter.limit("user-2")).remaining).toBe(1);
        const keys = await redis.keys(`${prefix}:*`);
        expect(keys.length).toBe(2);
        expect(await plain.ttl(keys[0] ?? "")).toBeGreaterThan(0);
      });

      it("supports @upstash/ratelimit tokenBucket", async () => {
        const limiter = new Ratelimit({
          redis,
          limiter: Ratelimit.tokenBucket(2, "60 s", 2),
          prefix: `rl:bucket:${engine}`,
          analytics: false,
          ephemeralCache: false,
        });
        const results = [];
        for (let i = 0; i < 3; i++) results.push(await limiter.limit("user-1"));
        expect(results.map((r) => r.success)).toEqual([true, true, false]);
        expect(results.map((r) => r.remaining)).toEqual([1, 0, 0]);
      });
    },
  );
});

describe("memory engine", () => {
  it("isolates the data of two endpoints in the same process", async () => {
    const first = await startUpstashRest({ port: 0, token: TOKEN, engine: "memory" });
    const second = await startUpstashRest({ port: 0, token: TOKEN, engine: "memory" });
    try {
      expect(await post(first.url, "/", JSON.stringify(["SET", "iso", "first"]))).toEqual({ status: 200, json: { result: "OK" } });
      expect(await post(second.url, "/", JSON.stringify(["GET", "iso"]))).toEqual({ status: 200, json: { result: null } });
      expect(await post(first.url, "/", JSON.stringify(["GET", "iso"]))).toEqual({ status: 200, json: { result: "first" } });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it("closes idempotently and stops listening", async () => {
    const server = await startUpstashRest({ port: 0, token: TOKEN, engine: "memory" });
    expect(server.engine).toBe("memory");
    await server.close();
    await server.close();
    await expect(fetch(`${server.url}/`, { method: "POST", body: "[]" })).rejects.toThrow();
  });
});

describe.skipIf(NO_REDIS_SERVER)(
  NO_REDIS_SERVER ? `redis-server engine lifecycle (${SKIP_REASON})` : "redis-server engine lifecycle",
  () => {
    it("close() stops the spawned redis-server and is idempotent", async () => {
      const server = await startUpstashRest({ port: 0, token: TOKEN, engine: "redis-server" });
      const { pid, port } = await redisServerInfo(server.url);
      expect(isAlive(pid)).toBe(true);
      expect(redisPidsOnPort(port)).toEqual([pid]);
      await server.close();
      expect(isAlive(pid)).toBe(false);
      expect(redisPidsOnPort(port)).toEqual([]);
      await server.close();
      await expect(fetch(`${server.url}/`, { method: "POST", body: "[]" })).rejects.toThrow();
    });

    it("does not leave a redis-server behind when the HTTP port is taken", async () => {
      const first = await startUpstashRest({ port: 0, token: TOKEN, engine: "memory" });
      try {
        const before = ownChildren();
        await expect(startUpstashRest({ port: first.port, token: TOKEN, engine: "redis-server" })).rejects.toThrow(/EADDRINUSE/);
        expect(ownChildren()).toEqual(before);
      } finally {
        await first.close();
      }
    });

    it("connects to an existing Redis with redisUrl and answers 503 when it goes away", async () => {
      const port = await findFreePort();
      const redisProcess = spawn(
        REDIS_SERVER ?? "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        {
          stdio: "ignore",
        },
      );
      let server: UpstashRestServer | undefined;
      try {
        const deadline = Date.now() + 10_000;
        while (server === undefined) {
          try {
            server = await startUpstashRest({ port: 0, token: TOKEN, redisUrl: `redis://127.0.0.1:${port}` });
          } catch (err) {
            if (Date.now() > deadline) throw err;
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
        expect(server.engine).toBe("redis-server");
        const client = new Redis({ url: server.url, token: TOKEN, retry: false, enableAutoPipelining: false });
        expect(await client.set("url:k", "v")).toBe("OK");
        expect(await client.get("url:k")).toBe("v");

        const exited = new Promise((resolve) => redisProcess.once("exit", resolve));
        redisProcess.kill("SIGKILL");
        await exited;
        const down = await post(server.url, "/", JSON.stringify(["GET", "url:k"]));
        expect(down).toEqual({ status: 503, json: { error: expect.stringMatching(/unavailable/) } });
        const downPipeline = await post(server.url, "/pipeline", JSON.stringify([["GET", "url:k"]]));
        expect(downPipeline.status).toBe(503);
        await expect(client.get("url:k")).rejects.toThrow(/unavailable/);
      } finally {
        await server?.close();
        redisProcess.kill("SIGKILL");
      }
    });

    it("rejects when redisUrl cannot be reached", async () => {
      const port = await findFreePort();
      await expect(startUpstashRest({ port: 0, token: TOKEN, redisUrl: `redis://127.0.0.1:${port}` })).rejects.toThrow(
        /cannot connect to Redis/,
      );
    });
  },
);

describe.skipIf(NO_REDIS_SERVER)(NO_REDIS_SERVER ? `CLI (${SKIP_REASON})` : "CLI", () => {
  /** Starts the CLI and resolves with its first stdout line. */
  async function startCli(env: Record<string, string>): Promise<{ child: ChildProcess; line: string; exit: Promise<number | null> }> {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, UPSTASH_LOCAL_PORT: "0", ...env };
    if (!("UPSTASH_REDIS_REST_TOKEN" in env)) delete childEnv.UPSTASH_REDIS_REST_TOKEN;
    const child = spawn(process.execPath, ["--import", "tsx", "dev/upstash-rest-cli.ts"], {
      cwd: REPO_ROOT,
      env: childEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
    });
    const line = await new Promise<string>((resolve, reject) => {
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => {
        stdout += chunk.toString("utf8");
        const newline = stdout.indexOf("\n");
        if (newline >= 0) resolve(stdout.slice(0, newline));
      });
      void exit.then((code) => reject(new Error(`CLI exited with ${code}: ${stderr}`)));
    });
    return { child, line, exit };
  }

  const LINE = /^Upstash REST dev endpoint listening on (http:\/\/127\.0\.0\.1:\d+) \(engine: (redis-server|memory)\)$/;

  it("prints its URL and engine, uses the default token, and stops cleanly on SIGTERM", async () => {
    const { child, line, exit } = await startCli({ UPSTASH_LOCAL_ENGINE: "redis-server" });
    const [, url = "", engine] = LINE.exec(line) ?? [];
    expect(engine).toBe("redis-server");
    const { pid, port } = await redisServerInfo(url, "local-dev-token");
    expect(isAlive(pid)).toBe(true);
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
    expect(isAlive(pid)).toBe(false);
    expect(redisPidsOnPort(port)).toEqual([]);
  });

  it("stops on SIGINT with the memory engine and a custom token", async () => {
    const { child, line, exit } = await startCli({ UPSTASH_LOCAL_ENGINE: "memory", UPSTASH_REDIS_REST_TOKEN: "cli-token" });
    const [, url = "", engine] = LINE.exec(line) ?? [];
    expect(engine).toBe("memory");
    expect(await post(url, "/", JSON.stringify(["PING"]), { authorization: "Bearer cli-token" })).toEqual({
      status: 200,
      json: { result: "PONG" },
    });
    expect((await post(url, "/", JSON.stringify(["PING"]), { authorization: "Bearer local-dev-token" })).status).toBe(401);
    child.kill("SIGINT");
    expect(await exit).toBe(0);
  });

  it("leaves no orphan redis-server when it is killed with SIGKILL", async () => {
    const { child, line, exit } = await startCli({ UPSTASH_LOCAL_ENGINE: "redis-server" });
    const [, url = ""] = LINE.exec(line) ?? [];
    const { pid, port } = await redisServerInfo(url, "local-dev-token");
    expect(isAlive(pid)).toBe(true);
    child.kill("SIGKILL");
    await exit;
    expect(await waitUntil(() => !isAlive(pid), 5_000)).toBe(true);
    expect(redisPidsOnPort(port)).toEqual([]);
  });
});
