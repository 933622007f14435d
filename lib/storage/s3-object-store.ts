import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type GetObjectCommandOutput,
} from "@aws-sdk/client-s3";
import { deadlineSignal } from "../abort.ts";
import { httpStatusOf } from "../clients/aws.ts";
import type { S3Bucket } from "../clients/s3.ts";
import { DependencyUnavailableError } from "../errors.ts";
import type { ObjectLinks, ObjectStore } from "./objects.ts";

/** How long one call may take (retries included), and the request's signal that may end it sooner. */
export interface CallDeadline {
  timeoutMs: number;
  signal?: AbortSignal;
}

const DEFAULT_CALL_TIMEOUT_MS = 2000;

/**
 * An ObjectStore on one S3 bucket: `server` makes the server-side calls, `links` signs the GET URLs handed to browsers
 * (locally for another host than the functions reach; lib/storage/s3-links.ts, the same signer the reads use).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly server: S3Bucket,
    private readonly links: ObjectLinks,
    private readonly deadline: CallDeadline = { timeoutMs: DEFAULT_CALL_TIMEOUT_MS },
  ) {}

  /** The same store, each of its calls also ended by `signal` (the request's own, shortly before Lambda's timeout). */
  forRequest(signal: AbortSignal | undefined): S3ObjectStore {
    return signal ? new S3ObjectStore(this.server, this.links, { ...this.deadline, signal }) : this;
  }

  /** The options of one call: ended at its deadline, or sooner by the request's signal. */
  private call(): { abortSignal: AbortSignal } {
    return { abortSignal: deadlineSignal(this.deadline.timeoutMs, this.deadline.signal) };
  }

  async read(key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; contentType?: string } | null> {
    let response: GetObjectCommandOutput;
    try {
      response = await s3Call(() =>
        this.server.client.send(new GetObjectCommand({ Bucket: this.server.bucket, Key: key, Range: `bytes=0-${maxBytes}` }), this.call()),
      );
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      // An empty object has no byte 0: S3 refuses the range.
      if (httpStatusOf(error) === 416) return { bytes: Buffer.alloc(0), size: 0 };
      throw error;
    }
    const bytes = Buffer.from((await response.Body?.transformToByteArray()) ?? new Uint8Array());
    const total = /\/(\d+)$/.exec(response.ContentRange ?? "")?.[1];
    return {
      bytes,
      size: total === undefined ? bytes.length : Number(total),
      ...(response.ContentType ? { contentType: response.ContentType } : {}),
    };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.storedAt(key)) !== null;
  }

  async storedAt(key: string): Promise<Date | null> {
    try {
      const head = await s3Call(() =>
        this.server.client.send(new HeadObjectCommand({ Bucket: this.server.bucket, Key: key }), this.call()),
      );
      // Without a date (never from S3) the object counts as stored long ago.
      return head.LastModified ?? new Date(0);
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await s3Call(() =>
      this.server.client.send(
        new PutObjectCommand({ Bucket: this.server.bucket, Key: key, Body: body, ContentType: contentType }),
        this.call(),
      ),
    );
  }

  async remove(key: string): Promise<void> {
    try {
      await s3Call(() => this.server.client.send(new DeleteObjectCommand({ Bucket: this.server.bucket, Key: key }), this.call()));
    } catch (error) {
      // S3 answers 204 whether or not the object was there; an emulator may say 404.
      if (httpStatusOf(error) !== 404) throw error;
    }
  }

  async removePrefix(prefix: string): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await s3Call(() =>
        this.server.client.send(
          new ListObjectsV2Command({ Bucket: this.server.bucket, Prefix: prefix, ContinuationToken: token }),
          this.call(),
        ),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        const deleted = await s3Call(() =>
          this.server.client.send(
            new DeleteObjectsCommand({ Bucket: this.server.bucket, Delete: { Objects: keys, Quiet: true } }),
            this.call(),
          ),
        );
        // With Quiet, only the keys that could not be deleted are listed.
        const failed = deleted.Errors ?? [];
        if (failed.length > 0) throw new Error(`S3 did not delete every object under the prefix (${failed[0]?.Code ?? "unknown"})`);
        removed += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  async presignDownload(key: string, expiresInSeconds: number, served: { contentType: string }): Promise<string> {
    return this.links.presignDownload(key, expiresInSeconds, served);
  }

  /** Whether the bucket answers (HeadBucket), for the readiness check. */
  async ping(signal?: AbortSignal): Promise<void> {
    await this.server.client.send(new HeadBucketCommand({ Bucket: this.server.bucket }), signal ? { abortSignal: signal } : {});
  }
}

/** Runs an S3 call; a network failure or a 5xx (after the SDK's retries) becomes a 503, any other answer stays itself. */
async function s3Call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const status = httpStatusOf(error);
    if (status !== undefined && status < 500) throw error;
    throw new DependencyUnavailableError("s3", error);
  }
}
