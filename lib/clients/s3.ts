import { S3Client } from "@aws-sdk/client-s3";
import { awsClientConfig, type StaticCredentials } from "./aws.ts";

/** One bucket as seen through one S3 client. */
export interface S3Bucket {
  client: S3Client;
  bucket: string;
}

/** Where a bucket is: its name and region, and a local endpoint (path style) when not on AWS. */
export interface BucketSettings {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  /** Static credentials (tests); by default the emulators' pair locally, the role's in AWS. */
  credentials?: StaticCredentials;
  /** How long a socket may stay silent during one attempt; a photo is at most MAX_PHOTO_BYTES (10 MiB). */
  requestTimeoutMs?: number;
}

/** An S3 client for one bucket: virtual-hosted on AWS, path style on a local endpoint. */
export function createS3Bucket(settings: BucketSettings): S3Bucket {
  const client = new S3Client({
    ...awsClientConfig({ ...settings, requestTimeoutMs: settings.requestTimeoutMs ?? 10_000 }),
    ...(settings.endpoint ? { forcePathStyle: true } : {}),
  });
  return { client, bucket: settings.bucket };
}
