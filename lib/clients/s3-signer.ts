import { S3RequestPresigner } from "@aws-sdk/s3-request-presigner";
import { buildQueryString, HttpRequest } from "@smithy/core/protocols";
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import { localCredentials } from "./aws.ts";
import { defaultProvider } from "./credentials-from-env.ts";
import type { BucketSettings } from "./s3.ts";

// The S3 client is some 250 KB of bundle (with @smithy/core's protocol and retry code and @aws-sdk/core) that a function
// which only hands out links, or reads an object now and then, loads and parses at every cold start. A signed S3 request
// needs none of it: SigV4 is the SDK's own signer (@smithy/signature-v4, and S3RequestPresigner over it for links, with
// the S3 rules: unsigned payload, the session token in the query). What the client adds besides is where a request
// goes, which this file repeats as S3's endpoint rules give it for a bucket (test/unit/s3-signer.test.ts holds every
// link to the SDK's getSignedUrl, byte for byte).

/** Credentials as the SDK's signer takes them: the session token is Lambda's role session's. */
interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** S3's path-style addressing, rather than virtual-hosted, is required for a bucket whose name is not one DNS label. */
const DNS_COMPATIBLE_BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const IP_ADDRESS = /^\d+\.\d+\.\d+\.\d+$/;

/** How the SDK escapes each segment of an object key in a path (RFC 3986 unreserved characters stay as they are). */
function escapeSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The DNS suffix of a region's partition (the China regions have their own). */
function dnsSuffix(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

/**
 * Signs requests on one bucket without the S3 client: where a request goes as the client would send it (virtual-hosted
 * on AWS, path style on a local endpoint), with the same credentials (the given or local pair, else the Lambda role's
 * from the environment, session token included).
 */
export class S3Signer {
  readonly bucket: string;
  private readonly region: string;
  private readonly endpoint: URL | undefined;
  private readonly credentials: () => Promise<SigningCredentials>;
  private readonly presigner: S3RequestPresigner;
  private readonly signer: SignatureV4;

  constructor(settings: Pick<BucketSettings, "bucket" | "region" | "endpoint" | "credentials">) {
    this.bucket = settings.bucket;
    this.region = settings.region;
    this.endpoint = settings.endpoint ? new URL(settings.endpoint) : undefined;
    const fixed = settings.credentials ?? localCredentials(settings.endpoint);
    const fromEnvironment = fixed ? undefined : defaultProvider();
    this.credentials = fixed ? async () => fixed : async () => (fromEnvironment as () => Promise<SigningCredentials>)();
    const sha256 = Hash.bind(null, "sha256");
    this.presigner = new S3RequestPresigner({ credentials: this.credentials, region: this.region, sha256 });
    // S3 signs the path as it is sent (no second escaping), and wants the payload's hash in a header.
    this.signer = new SignatureV4({
      credentials: this.credentials,
      region: this.region,
      service: "s3",
      sha256,
      uriEscapePath: false,
      applyChecksum: true,
    });
  }

  /** A request on one object of the bucket, addressed as the S3 client addresses it. */
  objectRequest(method: string, key: string, query: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest {
    const path = `/${key.split("/").map(escapeSegment).join("/")}`;
    if (this.endpoint) {
      // A local endpoint is always reached path style (forcePathStyle), on its own scheme and port.
      const port = this.endpoint.port ? Number(this.endpoint.port) : undefined;
      return new HttpRequest({
        method,
        protocol: this.endpoint.protocol,
        hostname: this.endpoint.hostname,
        ...(port === undefined ? {} : { port }),
        path: `/${this.bucket}${path}`,
        query,
        headers: { ...headers, host: this.endpoint.host },
      });
    }
    const regional = `s3.${this.region}.${dnsSuffix(this.region)}`;
    const virtual = DNS_COMPATIBLE_BUCKET.test(this.bucket) && !IP_ADDRESS.test(this.bucket);
    const hostname = virtual ? `${this.bucket}.${regional}` : regional;
    return new HttpRequest({
      method,
      protocol: "https:",
      hostname,
      path: virtual ? path : `/${this.bucket}${path}`,
      query,
      headers: { ...headers, host: hostname },
    });
  }

  /** A presigned URL for the request (query signing, unsigned payload), valid for `expiresInSeconds` from now. */
  async presign(request: HttpRequest, expiresInSeconds: number): Promise<string> {
    return urlOf(await this.presigner.presign(request, { expiresIn: expiresInSeconds }));
  }

  /** The request signed in its headers, to be sent as it is. */
  async sign(request: HttpRequest): Promise<{ url: string; headers: Record<string, string> }> {
    const signed = await this.signer.sign(request);
    // fetch sets Host itself, to the same value.
    const { host: _host, ...headers } = signed.headers;
    return { url: urlOf(signed), headers };
  }
}

/** The URL of a request, formatted as the SDK formats a presigned one (its query sorted and escaped the same way). */
function urlOf(request: Pick<HttpRequest, "protocol" | "hostname" | "port" | "path"> & { query?: HttpRequest["query"] }): string {
  const port = request.port ? `:${request.port}` : "";
  const query = buildQueryString(request.query ?? {});
  return `${request.protocol}//${request.hostname}${port}${request.path}${query ? `?${query}` : ""}`;
}
