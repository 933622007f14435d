import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { DependencyUnavailableError } from "../http/errors.ts";
import type { ObjectStore } from "./objects.ts";

/** An ObjectStore on one S3 bucket; `publicClient` signs URLs for browsers, `client` does server-side calls. */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly client: S3Client,
    private readonly publicClient: S3Client,
    private readonly bucket: string,
  ) {}

  async presignUpload(input: { key: string; contentType: string; contentLength: number; expiresInSeconds: number }) {
    return createPresignedPost(this.publicClient, {
      Bucket: this.bucket,
      Key: input.key,
      Fields: { "Content-Type": input.contentType },
      Conditions: [
        ["eq", "$Content-Type", input.contentType],
        ["content-length-range", input.contentLength, input.contentLength],
      ],
      Expires: input.expiresInSeconds,
    });
  }

  async read(key: string, maxBytes: number) {
    const response = await s3Call(() =>
      this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${maxBytes}` })),
    ).catch((error: unknown) => {
      if (isMissing(error)) return null;
      throw error;
    });
    if (!response?.Body) return null;
    const bytes = Buffer.from(await response.Body.transformToByteArray());
    const total = /\/(\d+)$/.exec(response.ContentRange ?? "")?.[1];
    return {
      bytes,
      size: total === undefined ? (response.ContentLength ?? bytes.length) : Number(total),
      ...(response.ContentType ? { contentType: response.ContentType } : {}),
    };
  }

  async exists(key: string): Promise<boolean> {
    try {
      await s3Call(() => this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key })));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    await s3Call(() => this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType })));
  }

  async remove(key: string): Promise<void> {
    await s3Call(() => this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key })));
  }

  async removePrefix(prefix: string): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const page = await s3Call(() =>
        this.client.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token })),
      );
      const keys = (page.Contents ?? []).flatMap((object) => (object.Key ? [{ Key: object.Key }] : []));
      if (keys.length > 0) {
        await s3Call(() => this.client.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys, Quiet: true } })));
        removed += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return removed;
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    return getSignedUrl(this.publicClient, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: expiresInSeconds });
  }
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey || error instanceof NotFound) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return status === 404;
}

/** Runs an S3 call; a network failure or a 5xx becomes a 503, a 4xx stays itself for the caller. */
async function s3Call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
    if (status !== undefined && status < 500) throw error;
    throw new DependencyUnavailableError("s3", error);
  }
}
