import { S3Client } from "@aws-sdk/client-s3";
import { getConfig } from "../config.ts";
import { localCredentials } from "./aws.ts";

// Made once per container on first use, so warm invocations reuse connections.
let s3: S3Client | undefined;
let publicS3: S3Client | undefined;

/** The process-wide S3 client for server-side calls. */
export function s3Client(): S3Client {
  const config = getConfig();
  s3 ??= new S3Client({
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: Boolean(config.S3_ENDPOINT),
    credentials: localCredentials(config.S3_ENDPOINT),
    maxAttempts: 2,
  });
  return s3;
}

/** The S3 client whose presigned URLs a browser can reach (locally a different host than the functions use). */
export function publicS3Client(): S3Client {
  const config = getConfig();
  if (!config.S3_PUBLIC_ENDPOINT || config.S3_PUBLIC_ENDPOINT === config.S3_ENDPOINT) return s3Client();
  publicS3 ??= new S3Client({
    region: config.AWS_REGION,
    endpoint: config.S3_PUBLIC_ENDPOINT,
    forcePathStyle: true,
    credentials: localCredentials(config.S3_PUBLIC_ENDPOINT),
  });
  return publicS3;
}
