import { deadlineSignal } from "../abort.ts";
import type { S3Signer } from "../clients/s3-signer.ts";
import { DependencyUnavailableError } from "../errors.ts";
import type { ObjectChecks } from "./objects.ts";
import type { CallDeadline } from "./s3-object-store.ts";

const DEFAULT_CALL_TIMEOUT_MS = 2000;

/**
 * The object calls of a read (HEAD, a ranged GET, DELETE) as SigV4-signed `fetch` requests, without the S3 client:
 * getSession and getPhoto, which every poll reaches, make them only for a pending photo, and would otherwise load and
 * parse the whole client at every cold start for them. `fetch` is already loaded by the Redis client. Behaves as
 * S3ObjectStore does: 404 is "missing", one retry of a network failure or a 5xx, then a 503; any other answer is an error.
 */
export class S3HttpObjects implements ObjectChecks {
  constructor(
    private readonly signer: S3Signer,
    private readonly deadline: CallDeadline = { timeoutMs: DEFAULT_CALL_TIMEOUT_MS },
  ) {}

  /** The same calls, each also ended by `signal` (the request's own, shortly before Lambda's timeout). */
  forRequest(signal: AbortSignal | undefined): S3HttpObjects {
    return signal ? new S3HttpObjects(this.signer, { ...this.deadline, signal }) : this;
  }

  async read(key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; contentType?: string } | null> {
    const response = await this.send("GET", key, { range: `bytes=0-${maxBytes}` }, async (answer) => {
      if (answer.status === 404) return null;
      // An empty object has no byte 0: S3 refuses the range.
      if (answer.status === 416) return { bytes: Buffer.alloc(0), size: 0 };
      const total = /\/(\d+)$/.exec(answer.headers.get("content-range") ?? "")?.[1];
      const contentType = answer.headers.get("content-type");
      const typed = contentType ? { contentType } : {};
      if (total === "0") {
        // Nothing to read (s3rver announces a byte it never sends).
        await answer.body?.cancel();
        return { bytes: Buffer.alloc(0), size: 0, ...typed };
      }
      const bytes = Buffer.from(await answer.arrayBuffer());
      return { bytes, size: total === undefined ? bytes.length : Number(total), ...typed };
    });
    return response;
  }

  async exists(key: string): Promise<boolean> {
    return (await this.storedAt(key)) !== null;
  }

  async storedAt(key: string): Promise<Date | null> {
    return this.send("HEAD", key, {}, async (answer) => {
      if (answer.status === 404) return null;
      // Without a date (never from S3) the object counts as stored long ago.
      const modified = answer.headers.get("last-modified");
      return modified ? new Date(modified) : new Date(0);
    });
  }

  async remove(key: string): Promise<void> {
    // S3 answers 204 whether or not the object was there; an emulator may say 404.
    await this.send("DELETE", key, {}, async () => undefined);
  }

  /**
   * Sends one signed request within the call's deadline and hands a 2xx (or 404, 416) answer to `answered`; a network
   * failure or a 5xx is tried once more, then becomes a 503; any other status is an error carrying it.
   */
  private async send<T>(
    method: string,
    key: string,
    headers: Record<string, string>,
    answered: (response: Response) => Promise<T>,
  ): Promise<T> {
    const signal = deadlineSignal(this.deadline.timeoutMs, this.deadline.signal);
    let failure: unknown;
    for (let attempt = 0; attempt < 2 && !signal.aborted; attempt++) {
      try {
        const { url, headers: signed } = await this.signer.sign(this.signer.objectRequest(method, key, {}, headers));
        const response = await fetch(url, { method, headers: signed, signal });
        if (response.ok || response.status === 404 || response.status === 416) return await answered(response);
        await response.body?.cancel();
        if (response.status < 500) throw new S3StatusError(method, response.status);
        failure = new S3StatusError(method, response.status);
      } catch (error) {
        if (error instanceof S3StatusError) throw error;
        failure = error;
      }
    }
    throw new DependencyUnavailableError("s3", failure ?? signal.reason);
  }
}

/** An S3 answer that is neither success nor "missing"; `$metadata` as on the SDK's errors (see httpStatusOf). */
class S3StatusError extends Error {
  readonly $metadata: { httpStatusCode: number };

  constructor(method: string, status: number) {
    super(`S3 answered ${method} with HTTP ${status}`);
    this.name = "S3StatusError";
    this.$metadata = { httpStatusCode: status };
  }
}
