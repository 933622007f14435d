import type { Redis } from "@upstash/redis";
import { inject } from "vitest";
import { createRedis } from "../../lib/clients/redis.ts";
import { createS3Bucket } from "../../lib/clients/s3.ts";
import { S3Signer } from "../../lib/clients/s3-signer.ts";
import { S3LinkSigner } from "../../lib/storage/s3-links.ts";
import { S3ObjectStore } from "../../lib/storage/s3-object-store.ts";

/** The product's Redis client pointed at the integration services' REST endpoint, without retries. */
export function integrationRedis(): Redis {
  const services = inject("services");
  return createRedis({
    UPSTASH_REDIS_REST_URL: services.redisUrl,
    UPSTASH_REDIS_REST_TOKEN: services.redisToken,
    REDIS_TIMEOUT_MS: 5000,
    REDIS_RETRIES: 0,
  });
}

/** The product's object store on the integration services' s3rver bucket, with the emulator's credentials. */
export function integrationObjects(): S3ObjectStore {
  const bucket = integrationBucket();
  return new S3ObjectStore(createS3Bucket(bucket), new S3LinkSigner(new S3Signer(bucket)));
}

/** Where the integration services' s3rver bucket is, with the emulator's credentials. */
export function integrationBucket(): {
  bucket: string;
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  const services = inject("services");
  return {
    bucket: services.bucket,
    endpoint: services.s3Endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
  };
}
