import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from "node:crypto";
import type { MiddlewareObj } from "@middy/core";
import type { Context } from "aws-lambda";
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError, InvalidIdempotencyKeyError } from "../errors.ts";
import { describeError, logger } from "../observability/logger.ts";
import {
  IDEMPOTENCY_LOCK_SECONDS,
  IDEMPOTENCY_WINDOW_SECONDS,
  type IdempotencyRecord,
  type IdempotencyStore,
} from "../sessions/idempotency-records.ts";
import type { HttpEvent, HttpResponse, IdempotencyScope } from "./types.ts";

/** The scope of a request on a session: the session and (128 bits of the hash of) the token presented. */
export function sessionScope(sessionId: string, tokenHash: string): IdempotencyScope {
  return { bucket: sessionId, owner: tokenHash.slice(0, 32) };
}

/** The scope of a request without a session (opening one): the client's address, hashed. */
export function clientScope(address: string): IdempotencyScope {
  return { bucket: `client:${createHash("sha256").update(address, "utf8").digest("hex").slice(0, 32)}`, owner: "" };
}

/**
 * A stored answer, replayed instead of running the request again. Thrown from the claim, so that the handler stops
 * where it stands; the error handler answers it as it was first answered.
 */
export class ReplayedAnswer extends Error {
  override name = "ReplayedAnswer";

  constructor(readonly response: HttpResponse) {
    super("replayed the stored answer of this Idempotency-Key");
  }
}

// Visible ASCII, as a token or as a Structured Fields string (the draft's form, `"…"`), whose quotes are dropped.
const KEY_PATTERN = /^[\x21-\x7e]{16,255}$/;

/** The Idempotency-Key of a request's (normalised) headers: undefined when absent, 400 when malformed. */
export function idempotencyKeyOf(headers: Record<string, string | undefined> | undefined): string | undefined {
  const raw = headers?.["idempotency-key"];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  const key = /^"[^"\\]*"$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
  if (!KEY_PATTERN.test(key)) throw new InvalidIdempotencyKeyError();
  return key;
}

interface StoredAnswer {
  statusCode: number;
  contentType?: string;
  body?: string;
}

/**
 * Everything derived from a key within its scope. The key itself is never stored: the record's field name, the body's
 * fingerprint and the answer's encryption key are HMACs of it, so that what Redis keeps (a session token in the answer
 * to opening a session, profile values in a message's answer) is unreadable without the key the client holds.
 */
class DerivedKey {
  readonly field: string;
  private readonly secret: Buffer;

  constructor(key: string, scope: IdempotencyScope) {
    this.secret = createHmac("sha256", key).update(`hera idempotency\n${scope.bucket}\n${scope.owner}`).digest();
    this.field = this.mac("field").toString("hex").slice(0, 32);
  }

  private mac(label: string): Buffer {
    return createHmac("sha256", this.secret).update(label).digest();
  }

  fingerprint(request: string): string {
    return createHmac("sha256", this.secret).update("request\n").update(request).digest("hex");
  }

  seal(answer: StoredAnswer): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.mac("answer"), iv);
    const sealed = Buffer.concat([cipher.update(JSON.stringify(answer), "utf8"), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64");
  }

  open(sealed: string): StoredAnswer {
    const bytes = Buffer.from(sealed, "base64");
    const decipher = createDecipheriv("aes-256-gcm", this.mac("answer"), bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString("utf8");
    return JSON.parse(plain) as StoredAnswer;
  }
}

/** One request's use of its Idempotency-Key: the claim (by the handler, beside its first Redis read), then the answer. */
export class IdempotentExchange {
  /** Whether the handler asked to claim the key (every idempotent route must, before it changes anything). */
  claimed = false;
  private held: { scope: IdempotencyScope; derived: DerivedKey; fingerprint: string } | undefined;

  constructor(
    private readonly store: IdempotencyStore,
    private readonly key: string | undefined,
    private readonly request: string,
    private readonly now: () => number,
    /** How long this request may still run: its lock lasts that long (and never past IDEMPOTENCY_LOCK_SECONDS). */
    private readonly remainingMs: number = IDEMPOTENCY_LOCK_SECONDS * 1000,
  ) {}

  /**
   * Claims the key in a scope: resolves when this request is the first with it (or carries none); a stored answer is
   * thrown as a ReplayedAnswer, a request still running is 409, another request under the same key is 422.
   */
  async claim(scope: IdempotencyScope): Promise<void> {
    this.claimed = true;
    if (this.key === undefined) return;
    const derived = new DerivedKey(this.key, scope);
    const fingerprint = derived.fingerprint(this.request);
    const nowMs = this.now();
    // A request that ends in an error frees its key; one that could not (Redis down, Lambda killed) holds it only
    // until its own deadline has passed, so that a retry after a 503 waits seconds, not a window.
    const lockMs = Math.min(IDEMPOTENCY_LOCK_SECONDS * 1000, Math.max(1000, this.remainingMs + 1000));
    const holder = randomBytes(9).toString("base64url");
    const lock: IdempotencyRecord = { state: "running", untilMs: nowMs + lockMs, fingerprint, holder };
    const existing = await this.store.claim(scope.bucket, derived.field, lock, nowMs);
    // Our own lock: the claim landed, its answer was lost, and the Redis client sent it again.
    if (existing === null || (existing.state === "running" && existing.holder === holder)) {
      this.held = { scope, derived, fingerprint };
      return;
    }
    if (existing.fingerprint !== fingerprint) throw new IdempotencyKeyReusedError();
    if (existing.state === "running") throw new IdempotencyKeyInUseError(Math.min(2, (existing.untilMs - nowMs) / 1000));
    const answer = derived.open(existing.answer);
    const headers: Record<string, string> = { "Cache-Control": "no-store" };
    if (answer.contentType) headers["Content-Type"] = answer.contentType;
    throw new ReplayedAnswer({ statusCode: answer.statusCode, headers, ...(answer.body === undefined ? {} : { body: answer.body }) });
  }

  /**
   * Keeps a success for the window. Every error leaves nothing behind (they change nothing in Hera, and a retry after a
   * 503 must run again): the key is freed. A store that fails here is logged, not answered: the work is done.
   */
  async settle(response: HttpResponse | undefined): Promise<void> {
    const held = this.held;
    if (!held) return;
    this.held = undefined;
    try {
      if (response && response.statusCode >= 200 && response.statusCode < 300) {
        const answer = held.derived.seal({
          statusCode: response.statusCode,
          ...(response.headers["Content-Type"] ? { contentType: response.headers["Content-Type"] } : {}),
          ...(response.body === undefined ? {} : { body: response.body }),
        });
        await this.store.save(held.scope.bucket, held.derived.field, {
          state: "answered",
          untilMs: this.now() + IDEMPOTENCY_WINDOW_SECONDS * 1000,
          fingerprint: held.fingerprint,
          answer,
        });
      } else {
        await this.store.release(held.scope.bucket, held.derived.field);
      }
    } catch (error) {
      // The key then stays locked until IDEMPOTENCY_LOCK_SECONDS have passed; a retry meanwhile is 409.
      logger.warn("idempotency record not settled", describeError(error));
    }
  }
}

const exchanges = new WeakMap<object, IdempotentExchange>();

/** The exchange the idempotency middleware opened for an event (none for routes that take no key). */
export function exchangeOf(event: object): IdempotentExchange | undefined {
  return exchanges.get(event);
}

/**
 * The Idempotency-Key middleware of a state-changing POST (docs/api.md): before the body is parsed it reads the key
 * and fingerprints the raw body with the route, so that a repeat is judged on the bytes sent. The handler claims the
 * key (`HttpRequest.claim`) in the same Redis round trip as its first read; after it, a success is stored and replayed
 * to repeats for IDEMPOTENCY_WINDOW_SECONDS, and an error frees the key. The one extra round trip is that store.
 */
export function idempotencyKey(options: {
  store: () => IdempotencyStore;
  rawBody: (event: HttpEvent) => string | undefined;
  now?: () => number;
}): MiddlewareObj<HttpEvent, HttpResponse, Error, Context> {
  const now = options.now ?? Date.now;
  return {
    name: "idempotencyKey",
    before: (request) => {
      const key = idempotencyKeyOf(request.event.headers);
      const http = request.event.requestContext?.http;
      const route = `${http?.method ?? "POST"} ${request.event.rawPath ?? http?.path ?? ""}`;
      const exchange = new IdempotentExchange(
        key === undefined ? noStore : options.store(),
        key,
        `${route}\n${options.rawBody(request.event) ?? ""}`,
        now,
        request.context.getRemainingTimeInMillis?.(),
      );
      exchanges.set(request.event, exchange);
    },
    after: async (request) => {
      const exchange = exchanges.get(request.event);
      if (exchange && !exchange.claimed && idempotencyKeyOf(request.event.headers) !== undefined) {
        await exchange.settle(undefined);
        throw new Error("an idempotent route answered without claiming its Idempotency-Key");
      }
      await exchange?.settle(request.response ?? undefined);
    },
    onError: async (request) => {
      if (request.error instanceof ReplayedAnswer) return;
      await exchanges.get(request.event)?.settle(undefined);
    },
  };
}

const noStore: IdempotencyStore = {
  claim: async () => null,
  save: async () => undefined,
  release: async () => undefined,
};
