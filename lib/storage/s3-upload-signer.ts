import { createHmac } from "node:crypto";
import { createScope, getSigningKey } from "@smithy/signature-v4";
import { Sha256, type AwsCredentials } from "../clients/aws-http.ts";
import type { UploadSigner } from "./objects.ts";

export interface S3UploadSignerOptions {
  bucket: string;
  region: string;
  /** The URL the browser posts the form to: the bucket's virtual-hosted URL on AWS, `<endpoint>/<bucket>` locally. */
  url: string;
  credentials: () => AwsCredentials;
  now?: () => Date;
}

const iso8601 = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * Signs S3 presigned POST forms (browser-based uploads with a POST policy, SigV4), field for field what the SDK's
 * `createPresignedPost` makes, without an S3 client: only the function that grants uploads carries it.
 */
export class S3UploadSigner implements UploadSigner {
  constructor(private readonly options: S3UploadSignerOptions) {}

  async presignUpload(input: {
    key: string;
    contentType: string;
    contentLength: number;
    expiresInSeconds: number;
  }): Promise<{ url: string; fields: Record<string, string> }> {
    const now = (this.options.now ?? (() => new Date()))();
    const credentials = this.options.credentials();
    const signingDate = iso8601(now).replace(/[-:]/g, "");
    const shortDate = signingDate.slice(0, 8);
    const scope = createScope(shortDate, this.options.region, "s3");
    const fields: Record<string, string> = {
      "Content-Type": input.contentType,
      bucket: this.options.bucket,
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": `${credentials.accessKeyId}/${scope}`,
      "X-Amz-Date": signingDate,
      ...(credentials.sessionToken ? { "X-Amz-Security-Token": credentials.sessionToken } : {}),
    };
    // The policy pins the exact key, the exact type and the exact size; every field the form sends is a condition.
    const conditions: unknown[] = [
      ["eq", "$Content-Type", input.contentType],
      ["content-length-range", input.contentLength, input.contentLength],
      ...Object.entries(fields).map(([name, value]) => ({ [name]: value })),
      { key: input.key },
    ];
    const expiration = new Date(now.getTime() + input.expiresInSeconds * 1000);
    const policy = Buffer.from(JSON.stringify({ expiration: iso8601(expiration), conditions }), "utf8").toString("base64");
    const signingKey = await getSigningKey(Sha256, credentials, shortDate, this.options.region, "s3");
    const signature = createHmac("sha256", signingKey).update(policy, "utf8").digest("hex");
    return { url: this.options.url, fields: { ...fields, key: input.key, Policy: policy, "X-Amz-Signature": signature } };
  }
}
