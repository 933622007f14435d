import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DependencyUnavailableError } from "../../lib/errors.ts";
import { httpHandler } from "../../lib/http/handler.ts";
import { clientScope, idempotencyKeyOf, sessionScope } from "../../lib/http/idempotency.ts";
import type { IdempotencyRecord, IdempotencyStore } from "../../lib/sessions/idempotency-store.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

/** An in-memory store with the Redis store's contract: a claim takes a field unless a valid record holds it. */
class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  saves = 0;
  releases = 0;

  async claim(bucket: string, field: string, lock: IdempotencyRecord, nowMs: number): Promise<IdempotencyRecord | null> {
    const existing = this.records.get(`${bucket}/${field}`);
    if (existing && existing.untilMs > nowMs) return existing;
    this.records.set(`${bucket}/${field}`, lock);
    return null;
  }

  async save(bucket: string, field: string, record: IdempotencyRecord): Promise<void> {
    this.saves++;
    this.records.set(`${bucket}/${field}`, record);
  }

  async release(bucket: string, field: string): Promise<void> {
    this.releases++;
    this.records.delete(`${bucket}/${field}`);
  }
}

const KEY = "0b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";
const json = { "content-type": "application/json" };

function counter(store: MemoryIdempotencyStore, failFirst = 0) {
  let runs = 0;
  const handler = httpHandler(
    { body: { schema: z.strictObject({ text: z.string() }), required: true }, idempotent: true },
    async (request) => {
      await request.claim(sessionScope("s1", "a".repeat(64)));
      runs++;
      if (runs <= failFirst) throw new DependencyUnavailableError("redis");
      return { status: 201, body: { run: runs, text: request.body.text, at: Math.random() } };
    },
    { idempotencyStore: () => store },
  );
  return { handler, runs: () => runs };
}

const send = (handler: ReturnType<typeof counter>["handler"], text: string, headers: Record<string, string> = { "idempotency-key": KEY }) =>
  handler(httpEvent({ body: JSON.stringify({ text }), headers: { ...json, ...headers } }), fakeContext());

describe("Idempotency-Key", () => {
  it("answers a repeat with the first answer, byte for byte, without running the handler again", async () => {
    const store = new MemoryIdempotencyStore();
    const { handler, runs } = counter(store);

    const first = await send(handler, "hello");
    const second = await send(handler, "hello");

    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.body).toBe(first.body);
    expect(second.headers["Content-Type"]).toBe(first.headers["Content-Type"]);
    expect(runs()).toBe(1);
  });

  it("refuses the same key with another body with 422 idempotency_key_reused, running nothing", async () => {
    const store = new MemoryIdempotencyStore();
    const { handler, runs } = counter(store);
    await send(handler, "hello");

    const other = await send(handler, "bonjour");

    expect(other.statusCode).toBe(422);
    expect(JSON.parse(other.body ?? "{}").error.code).toBe("idempotency_key_reused");
    expect(runs()).toBe(1);
  });

  it("refuses a repeat while the first still runs with 409 and Retry-After", async () => {
    const store = new MemoryIdempotencyStore();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = httpHandler(
      { body: { schema: z.strictObject({ text: z.string() }), required: true }, idempotent: true },
      async (request) => {
        await request.claim(clientScope("198.51.100.4"));
        await gate;
        return { status: 200, body: { ok: true } };
      },
      { idempotencyStore: () => store },
    );

    const first = slow(httpEvent({ body: '{"text":"a"}', headers: { ...json, "idempotency-key": KEY } }), fakeContext());
    await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await slow(httpEvent({ body: '{"text":"a"}', headers: { ...json, "idempotency-key": KEY } }), fakeContext());
    release();

    expect(second.statusCode).toBe(409);
    expect(JSON.parse(second.body ?? "{}").error.code).toBe("idempotency_key_in_use");
    expect(Number(second.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    expect((await first).statusCode).toBe(200);
  });

  it("keeps no error: a retry after a 503 runs again and its success is what repeats get", async () => {
    const store = new MemoryIdempotencyStore();
    const { handler, runs } = counter(store, 1);

    const failed = await send(handler, "hello");
    const retried = await send(handler, "hello");
    const repeated = await send(handler, "hello");

    expect(failed.statusCode).toBe(503);
    expect(store.releases).toBe(1);
    expect(retried.statusCode).toBe(201);
    expect(repeated.body).toBe(retried.body);
    expect(runs()).toBe(2);
  });

  it("keeps the key itself and the answer unreadable in the store", async () => {
    const store = new MemoryIdempotencyStore();
    const { handler } = counter(store);
    await send(handler, "my secret answer");

    const stored = JSON.stringify([...store.records]);
    expect(stored).not.toContain(KEY);
    expect(stored).not.toContain("my secret answer");
  });

  it("scopes keys: the same key from another token or client is another request", async () => {
    const a = sessionScope("s1", "a".repeat(64));
    const b = sessionScope("s1", "b".repeat(64));
    expect(a).not.toEqual(b);
    expect(clientScope("198.51.100.4")).not.toEqual(clientScope("198.51.100.5"));
    expect(clientScope("198.51.100.4").bucket).not.toContain("198.51.100.4");
  });

  it("runs a request without a key as before, storing nothing", async () => {
    const store = new MemoryIdempotencyStore();
    const { handler, runs } = counter(store);
    await send(handler, "hello", {});
    await send(handler, "hello", {});
    expect(runs()).toBe(2);
    expect(store.records.size).toBe(0);
  });

  it("fails a route that forgets to claim its key (a bug), freeing the key", async () => {
    const store = new MemoryIdempotencyStore();
    const forgetful = httpHandler({ idempotent: true }, async () => ({ status: 200, body: {} }), { idempotencyStore: () => store });
    const response = await forgetful(httpEvent({ headers: { "idempotency-key": KEY } }), fakeContext());
    expect(response.statusCode).toBe(500);
  });

  it.each([
    ["a token", KEY, KEY],
    ["a Structured Fields string", `"${KEY}"`, KEY],
  ])("reads the key as %s", (_name, header, key) => {
    expect(idempotencyKeyOf({ "idempotency-key": header })).toBe(key);
  });

  it.each([["short"], ["has a space in it, 16+"], ["é".repeat(20)], ["x".repeat(256)]])("refuses the key %j with 400", async (header) => {
    const store = new MemoryIdempotencyStore();
    const { handler, runs } = counter(store);
    const response = await send(handler, "hello", { "idempotency-key": header });
    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body ?? "{}").error.code).toBe("invalid_idempotency_key");
    expect(runs()).toBe(0);
  });
});
