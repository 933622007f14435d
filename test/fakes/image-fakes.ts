import type { RuntimeSwitch } from "../../lib/switches.ts";
import type { JobDispatcher } from "../../lib/images/dispatch.ts";
import { PNG_SIGNATURE, type ImageInput, type ImageProvider } from "../../lib/images/provider.ts";
import type { RateLimitDecision, RateLimiter } from "../../lib/limits/rate-limiter.ts";
import type { ImageJobEvent } from "../../lib/schemas/images.ts";

/** A JobDispatcher that records every event and can be told to fail or to run the job itself. */
export class FakeDispatcher implements JobDispatcher {
  readonly events: ImageJobEvent[] = [];
  failWith: Error | undefined;
  onDispatch: ((event: ImageJobEvent) => Promise<void>) | undefined;

  async dispatch(event: ImageJobEvent): Promise<void> {
    this.events.push(event);
    if (this.failWith) throw this.failWith;
    await this.onDispatch?.(event);
  }
}

/** A RateLimiter that allows `limit` calls per key and then refuses with `retryAfterSeconds`. */
/** A switch the test flips: on unless told otherwise. */
export class FakeSwitch implements RuntimeSwitch {
  constructor(public on = true) {}
  async isOn(): Promise<boolean> {
    return this.on;
  }
}

/** A client/stage allowance that never refuses, counting its calls (lib/limits/spend.ts is tested apart). */
export function unlimitedSpend(): (() => Promise<void>) & { calls: number } {
  const spend = Object.assign(async () => void spend.calls++, { calls: 0 });
  return spend;
}

export class CountingLimiter implements RateLimiter {
  readonly calls: string[] = [];
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly allowedCalls = Number.POSITIVE_INFINITY,
    private readonly retryAfterSeconds = 3600,
  ) {}

  async limit(key: string): Promise<RateLimitDecision> {
    this.calls.push(key);
    const count = (this.counts.get(key) ?? 0) + 1;
    this.counts.set(key, count);
    return count <= this.allowedCalls
      ? { allowed: true, retryAfterSeconds: 0 }
      : { allowed: false, retryAfterSeconds: this.retryAfterSeconds };
  }
}

/** A small PNG-signed buffer that names what it was made from (the worker only checks the signature). */
export function fakePng(label: string): Buffer {
  return Buffer.concat([PNG_SIGNATURE, Buffer.from(label, "utf8")]);
}

/** An ImageProvider whose answer each test decides; it records every input it was given. */
export class FakeImageProvider implements ImageProvider {
  readonly id: string;
  readonly partnerUsesUserPhoto: boolean;
  readonly inputs: ImageInput[] = [];
  answer: (input: ImageInput, signal: AbortSignal) => Promise<Buffer> = async (input) => fakePng(input.kind);

  constructor(traits: { id?: string; partnerUsesUserPhoto?: boolean } = {}) {
    this.id = traits.id ?? "fake/v1";
    this.partnerUsesUserPhoto = traits.partnerUsesUserPhoto ?? true;
  }

  async generate(input: ImageInput, signal: AbortSignal): Promise<Buffer> {
    this.inputs.push(input);
    return this.answer(input, signal);
  }
}
