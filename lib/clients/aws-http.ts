import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { SignatureV4 } from "@smithy/signature-v4";

// The functions call S3, DynamoDB, Lambda and SSM through signed `fetch` requests instead of the AWS SDK clients:
// each of those clients brings 300–450 KB of minified code (the client, its shared runtime and the credential-provider
// chain) to call one to six operations of a plain REST or JSON API. Requests are signed by AWS's own SigV4 signer
// (@smithy/signature-v4, the one inside the SDK), so what reaches AWS is what the SDK would send.

/** AWS credentials; in Lambda those of the function's role, from its environment. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/**
 * The credentials of this container. Local emulators (an endpoint is set) take the static pair of `.env.example`;
 * in AWS they are the role's, which Lambda puts in the environment of every function.
 */
export function credentialsFromEnvironment(endpoint: string | undefined, env: NodeJS.ProcessEnv = process.env): AwsCredentials {
  if (endpoint) return { accessKeyId: env.AWS_ACCESS_KEY_ID ?? "S3RVER", secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? "S3RVER" };
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) throw new Error("AWS credentials missing: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set");
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

type Bytes = string | ArrayBuffer | ArrayBufferView;

const toBuffer = (data: Bytes): Buffer =>
  typeof data === "string" ? Buffer.from(data, "utf8") : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256, or HMAC-SHA-256 when given a key, on node:crypto, in the shape the Smithy signer expects. */
export class Sha256 {
  private hash: Hash | Hmac;

  constructor(private readonly secret?: Bytes) {
    this.hash = this.fresh();
  }

  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", toBuffer(this.secret));
  }

  update(data: Bytes): void {
    this.hash.update(toBuffer(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }

  reset(): void {
    this.hash = this.fresh();
  }
}

/** One request to an AWS API; the path and query are given raw (the client encodes them). */
export interface AwsRequest {
  method: "GET" | "HEAD" | "PUT" | "POST" | "DELETE";
  /** Already URI-encoded path, starting with `/`. */
  path: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The network failed or the deadline passed before AWS answered (after retries). */
export class AwsUnreachableError extends Error {
  override readonly name = "AwsUnreachableError";
  constructor(service: string, cause: unknown) {
    super(`${service} could not be reached`, { cause });
  }
}

export interface AwsHttpClientOptions {
  /** Signing name: `s3`, `dynamodb`, `lambda`, `ssm`. */
  service: string;
  region: string;
  /** Where requests go: `https://host[:port]`, with a base path for an emulator that needs one. */
  origin: string;
  credentials: () => AwsCredentials;
  /** S3 signs the path as sent; the other services sign it encoded once more. */
  uriEscapePath?: boolean;
  /** Deadline of one attempt. */
  timeoutMs: number;
  /** Attempts in all, counting the first (network failures, throttling and 5xx are retried). */
  maxAttempts?: number;
}

const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

/** RFC 3986 encoding, as SigV4 canonicalizes: everything but unreserved characters is percent-encoded. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function queryString(query: Record<string, string | string[] | null> | undefined): string {
  const parts = Object.keys(query ?? {})
    .sort()
    .flatMap((key) => {
      const value = query?.[key];
      if (value === null || value === undefined) return [encodeRfc3986(key)];
      return (Array.isArray(value) ? value : [value]).map((item) => `${encodeRfc3986(key)}=${encodeRfc3986(item)}`);
    });
  return parts.length > 0 ? `?${parts.join("&")}` : "";
}

/** Signs requests to one AWS service with SigV4 and sends them with fetch, retrying what is worth retrying. */
export class AwsHttpClient {
  private readonly signer: SignatureV4;
  private readonly url: URL;

  constructor(private readonly options: AwsHttpClientOptions) {
    this.url = new URL(options.origin);
    this.signer = new SignatureV4({
      service: options.service,
      region: options.region,
      credentials: async () => options.credentials(),
      sha256: Sha256,
      uriEscapePath: options.uriEscapePath ?? true,
      applyChecksum: true,
    });
  }

  get region(): string {
    return this.options.region;
  }

  /** The base path of the origin (an emulator's bucket prefix, say), without a trailing slash. */
  private fullPath(path: string): string {
    return `${this.url.pathname.replace(/\/$/, "")}${path}`;
  }

  private toSign(request: AwsRequest) {
    return {
      method: request.method,
      protocol: this.url.protocol,
      hostname: this.url.hostname,
      ...(this.url.port ? { port: Number(this.url.port) } : {}),
      path: this.fullPath(request.path),
      query: { ...request.query },
      headers: { host: this.url.host, ...request.headers },
      ...(request.body === undefined ? {} : { body: request.body }),
    };
  }

  /** Signs and sends a request; answers whatever AWS answered last, or throws AwsUnreachableError. */
  async send(request: AwsRequest, signal?: AbortSignal): Promise<Response> {
    const attempts = this.options.maxAttempts ?? 2;
    let failure: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const signed = await this.signer.sign(this.toSign(request));
        const { host: _host, ...headers } = signed.headers;
        const timeout = AbortSignal.timeout(this.options.timeoutMs);
        const response = await fetch(`${this.url.origin}${signed.path}${queryString(signed.query)}`, {
          method: request.method,
          headers,
          ...(request.body === undefined ? {} : { body: typeof request.body === "string" ? request.body : new Uint8Array(request.body) }),
          signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        });
        if (attempt < attempts && (RETRYABLE_STATUS.has(response.status) || (await isThrottled(response)))) {
          await response.body?.cancel();
          await sleep(25 * 2 ** attempt);
          continue;
        }
        return response;
      } catch (error) {
        if (signal?.aborted) throw error;
        failure = error;
        if (attempt < attempts) await sleep(25 * 2 ** attempt);
      }
    }
    throw new AwsUnreachableError(this.options.service, failure);
  }

  /**
   * A presigned URL (query-string authentication) for a request a browser will make. The payload is unsigned, as S3
   * expects of query authentication; Content-Type is left out of the signature, as the SDK's S3 presigner does.
   */
  async presign(request: AwsRequest, expiresInSeconds: number, signingDate?: Date): Promise<string> {
    const toSign = this.toSign({ ...request, headers: { ...request.headers, "X-Amz-Content-Sha256": "UNSIGNED-PAYLOAD" } });
    const signed = await this.signer.presign(toSign, {
      expiresIn: expiresInSeconds,
      unsignableHeaders: new Set(["content-type"]),
      ...(signingDate ? { signingDate } : {}),
    });
    return `${this.url.origin}${signed.path}${queryString(signed.query)}`;
  }
}

/** DynamoDB and the other JSON APIs answer throttling with a 400 and a `__type`; those are retried too. */
async function isThrottled(response: Response): Promise<boolean> {
  if (response.status !== 400) return false;
  const text = await response.clone().text().catch(() => "");
  return /Throttling|ProvisionedThroughputExceeded|RequestLimitExceeded|TooManyRequests/.test(text);
}

/** The error code of an AWS JSON API answer (`__type` without its namespace), or of an S3 XML answer (`<Code>`). */
export function awsErrorCode(body: string): string | undefined {
  const json = /"__type"\s*:\s*"(?:[^"#]*#)?([^"]+)"/.exec(body)?.[1];
  return json ?? /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

/** An AWS API answered with an error that is not a transport failure. */
export class AwsResponseError extends Error {
  override readonly name = "AwsResponseError";
  constructor(
    readonly service: string,
    readonly status: number,
    readonly code: string | undefined,
  ) {
    super(`${service} answered ${status}${code ? ` ${code}` : ""}`);
  }
}

/** Reads an error answer into an AwsResponseError (its code only: bodies may echo request data). */
export async function responseError(service: string, response: Response): Promise<AwsResponseError> {
  const body = await response.text().catch(() => "");
  return new AwsResponseError(service, response.status, awsErrorCode(body));
}
