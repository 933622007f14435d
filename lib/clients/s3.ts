import { getConfig } from "../config.ts";
import { bucketLocation, S3ObjectStore, type S3Bucket } from "../storage/s3-object-store.ts";
import { S3UploadSigner } from "../storage/s3-upload-signer.ts";
import { AwsHttpClient, credentialsFromEnvironment, type AwsCredentials } from "./aws-http.ts";

/** Where a bucket is: its name and region, and a local endpoint (path style) when not on AWS. */
export interface BucketSettings {
  bucket: string;
  region: string;
  endpoint?: string | undefined;
  /** Static credentials (tests); by default those of the environment (see credentialsFromEnvironment). */
  credentials?: AwsCredentials;
  /** Deadline of one attempt; a photo is at most MAX_PHOTO_BYTES (10 MiB). */
  timeoutMs?: number;
}

/** A client signing S3 requests for one bucket, virtual-hosted on AWS, path style on a local endpoint. */
export function createS3Bucket(settings: BucketSettings): S3Bucket {
  const { origin, basePath } = bucketLocation(settings.bucket, settings.region, settings.endpoint);
  const credentials = settings.credentials ?? credentialsFromEnvironment(settings.endpoint);
  const client = new AwsHttpClient({
    service: "s3",
    region: settings.region,
    origin,
    credentials: () => credentials,
    uriEscapePath: false,
    timeoutMs: settings.timeoutMs ?? 10_000,
  });
  return { client, basePath };
}

/** A signer of presigned POST forms for one bucket, posting to the URL a browser reaches. */
export function createUploadSigner(settings: BucketSettings): S3UploadSigner {
  const { origin, basePath } = bucketLocation(settings.bucket, settings.region, settings.endpoint);
  const credentials = settings.credentials ?? credentialsFromEnvironment(settings.endpoint);
  return new S3UploadSigner({ bucket: settings.bucket, region: settings.region, url: basePath ? `${origin}${basePath}` : `${origin}/`, credentials: () => credentials });
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
