import type { S3Signer } from "../clients/s3-signer.ts";
import type { ObjectLinks } from "./objects.ts";

/**
 * Presigned GET links signed without the S3 client: the same URL `getSignedUrl` makes for a GetObject (the same query,
 * the same signature), so a function that only hands out links carries no S3 client.
 */
export class S3LinkSigner implements ObjectLinks {
  /** `signer` must address the bucket at the URL a browser reaches. */
  constructor(private readonly signer: S3Signer) {}

  async presignDownload(key: string, expiresInSeconds: number, served: { contentType: string }): Promise<string> {
    // The response's type and disposition are part of the signature: the URL cannot be made to serve anything else.
    // `x-id` and the checksum mode are what the SDK's GetObject sends too (the mode is hoisted into the query).
    const request = this.signer.objectRequest(
      "GET",
      key,
      { "response-content-disposition": "inline", "response-content-type": served.contentType, "x-id": "GetObject" },
      { "x-amz-checksum-mode": "ENABLED" },
    );
    return this.signer.presign(request, expiresInSeconds);
  }
}
