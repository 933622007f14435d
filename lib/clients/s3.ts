import { S3Client } from "@aws-sdk/client-s3";
import { getConfig } from "../config.ts";
import { S3ObjectStore, type S3Bucket } from "../storage/s3-object-store.ts";
import { S3UploadSigner } from "../storage/s3-upload-signer.ts";
import { localCredentials, type StaticCredentials } from "./aws.ts";

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
  const credentials = settings.credentials ?? localCredentials(settings.endpoint);
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
    requestHandler: { requestTimeout: settings.requestTimeoutMs ?? 10_000 },
  });
  return { client, bucket: settings.bucket };
}

/** A signer of presigned POST forms for one bucket, posting to the URL a browser reaches. */
export function createUploadSigner(settings: BucketSettings): S3UploadSigner {
  return new S3UploadSigner(createS3Bucket(settings));
}

// Made once per container on first use, so warm invocations reuse connections.
let objects: S3ObjectStore | undefined;
let uploads: S3UploadSigner | undefined;

/**
 * The process-wide object store on the photo bucket. Server-side calls go to S3_ENDPOINT; the GET URLs handed to
 * browsers name S3_PUBLIC_ENDPOINT (locally another host than the functions reach).
 */
export function photoObjects(): S3ObjectStore {
  const config = getConfig();
  if (!objects) {
    const at = (endpoint: string | undefined) => createS3Bucket({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint });
    const server = at(config.S3_ENDPOINT);
    const browser = !config.S3_PUBLIC_ENDPOINT || config.S3_PUBLIC_ENDPOINT === config.S3_ENDPOINT ? server : at(config.S3_PUBLIC_ENDPOINT);
    objects = new S3ObjectStore(server, browser);
  }
  return objects;
}

/** The process-wide signer of photo upload forms, for the bucket URL a browser reaches. */
export function photoUploadSigner(): S3UploadSigner {
  const config = getConfig();
  uploads ??= createUploadSigner({ bucket: config.PHOTO_BUCKET, region: config.AWS_REGION, endpoint: config.S3_PUBLIC_ENDPOINT ?? config.S3_ENDPOINT });
  return uploads;
}
