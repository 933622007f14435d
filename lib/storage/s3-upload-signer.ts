import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import type { S3Bucket } from "../clients/s3.ts";
import type { UploadSigner } from "./objects.ts";

/**
 * Signs S3 presigned POST forms (browser uploads under a SigV4 POST policy) with the SDK's `createPresignedPost`.
 * Apart from S3ObjectStore so that only the function granting uploads carries the presigned-POST helper.
 */
export class S3UploadSigner implements UploadSigner {
  /** `bucket.client` must reach the bucket at the URL a browser posts to. */
  constructor(private readonly bucket: S3Bucket) {}

  async presignUpload(input: {
    key: string;
    contentType: string;
    contentLength: number;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }> {
    // The policy pins the exact key, the exact type and the exact size; the SDK adds every field the form sends
    // (bucket, key, algorithm, credential, date, token) as a condition too.
    return createPresignedPost(this.bucket.client, {
      Bucket: this.bucket.bucket,
      Key: input.key,
      Fields: { "Content-Type": input.contentType },
      Conditions: [
        ["eq", "$Content-Type", input.contentType],
        ["content-length-range", input.contentLength, input.contentLength],
      ],
      Expires: input.expiresInSeconds,
    });
  }
}
