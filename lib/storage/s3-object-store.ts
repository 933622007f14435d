import { createHash } from "node:crypto";
import { DependencyUnavailableError } from "../http/errors.ts";
import { AwsUnreachableError, encodeRfc3986, responseError, type AwsHttpClient } from "../clients/aws-http.ts";
import type { ObjectStore } from "./objects.ts";

/** Where one bucket is reached: a client signing for S3 and the bucket's base path on the client's origin. */
export interface S3Bucket {
  client: AwsHttpClient;
  /** `""` when the bucket is the host (virtual-hosted style, AWS), `/<bucket>` for path style (local S3). */
  basePath: string;
}

/** The bucket's origin and base path: virtual-hosted on AWS, path style on a local endpoint. */
export function bucketLocation(bucket: string, region: string, endpoint: string | undefined): { origin: string; basePath: string } {
  if (endpoint) return { origin: endpoint.replace(/\/$/, ""), basePath: `/${bucket}` };
  return { origin: `https://${bucket}.s3.${region}.amazonaws.com`, basePath: "" };
}

/** The URI path of an object: each segment of the key encoded, the slashes kept. */
export function objectPath(basePath: string, key: string): string {
  return `${basePath}/${key.split("/").map(encodeRfc3986).join("/")}`;
}

/**
 * An ObjectStore on one S3 bucket over its REST API: `server` makes the server-side calls, `browser` signs the GET
 * URLs handed to browsers (locally a different host than the functions reach).
 */
export class S3ObjectStore implements ObjectStore {
  constructor(
    private readonly server: S3Bucket,
    private readonly browser: S3Bucket = server,
  ) {}

  async read(key: string, maxBytes: number): Promise<{ bytes: Buffer; size: number; contentType?: string } | null> {
    const response = await s3Call(() =>
      this.server.client.send({ method: "GET", path: objectPath(this.server.basePath, key), headers: { range: `bytes=0-${maxBytes}` } }),
    );
    if (response.status === 404) return discard(response, null);
    // An empty object has no byte 0: S3 refuses the range.
    if (response.status === 416) return discard(response, { bytes: Buffer.alloc(0), size: 0 });
    if (!response.ok) throw await responseError("s3", response);
    const bytes = Buffer.from(await response.arrayBuffer());
    const total = /\/(\d+)$/.exec(response.headers.get("content-range") ?? "")?.[1];
    const contentType = response.headers.get("content-type");
    return { bytes, size: total === undefined ? bytes.length : Number(total), ...(contentType ? { contentType } : {}) };
  }

  async exists(key: string): Promise<boolean> {
    return (await this.storedAt(key)) !== null;
  }

  async storedAt(key: string): Promise<Date | null> {
    const response = await s3Call(() => this.server.client.send({ method: "HEAD", path: objectPath(this.server.basePath, key) }));
    if (response.status === 404) return null;
    if (!response.ok) throw await responseError("s3", response);
    const modified = Date.parse(response.headers.get("last-modified") ?? "");
    // Without a date (never from S3) the object counts as stored long ago.
    return new Date(Number.isNaN(modified) ? 0 : modified);
  }

  async write(key: string, body: Buffer, contentType: string): Promise<void> {
    const response = await s3Call(() =>
      this.server.client.send({ method: "PUT", path: objectPath(this.server.basePath, key), headers: { "content-type": contentType }, body }),
    );
    if (!response.ok) throw await responseError("s3", response);
    await response.body?.cancel();
  }

  async remove(key: string): Promise<void> {
    const response = await s3Call(() => this.server.client.send({ method: "DELETE", path: objectPath(this.server.basePath, key) }));
    // S3 answers 204 whether or not the object was there; an emulator may say 404.
    if (!response.ok && response.status !== 404) throw await responseError("s3", response);
    await response.body?.cancel();
  }

  async removePrefix(prefix: string): Promise<number> {
    let removed = 0;
    let token: string | undefined;
    do {
      const query: Record<string, string> = { "list-type": "2", prefix, ...(token ? { "continuation-token": token } : {}) };
      const listed = await s3Call(() => this.server.client.send({ method: "GET", path: `${this.server.basePath}/`, query }));
      if (!listed.ok) throw await responseError("s3", listed);
      const page = parseListing(await listed.text());
      if (page.keys.length > 0) {
        await this.deleteKeys(page.keys);
        removed += page.keys.length;
      }
      token = page.nextToken;
    } while (token);
    return removed;
  }

  private async deleteKeys(keys: string[]): Promise<void> {
    const body = `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Quiet>true</Quiet>${keys.map((key) => `<Object><Key>${escapeXml(key)}</Key></Object>`).join("")}</Delete>`;
    const response = await s3Call(() =>
      this.server.client.send({
        method: "POST",
        path: `${this.server.basePath}/`,
        query: { delete: "" },
        headers: { "content-type": "application/xml", "content-md5": createHash("md5").update(body).digest("base64") },
        body,
      }),
    );
    if (!response.ok) throw await responseError("s3", response);
    // With Quiet, only the keys that could not be deleted are listed.
    const text = await response.text();
    if (text.includes("<Error>")) throw new Error(`S3 did not delete every object under the prefix (${/<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? "unknown"})`);
  }

  async presignDownload(key: string, expiresInSeconds: number): Promise<string> {
    // The query the SDK's GetObject presigner adds (response checksums on, the operation named), for the same URL.
    const query = { "x-amz-checksum-mode": "ENABLED", "x-id": "GetObject" };
    return this.browser.client.presign({ method: "GET", path: objectPath(this.browser.basePath, key), query }, expiresInSeconds);
  }

  /** Whether the bucket answers (HeadBucket), for the readiness check. */
  async ping(signal?: AbortSignal): Promise<void> {
    const response = await this.server.client.send({ method: "HEAD", path: `${this.server.basePath}/` }, signal);
    if (!response.ok) throw await responseError("s3", response);
  }
}

async function discard<T>(response: Response, value: T): Promise<T> {
  await response.body?.cancel();
  return value;
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[c] ?? c);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (_, entity: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };
    if (named[entity]) return named[entity];
    return String.fromCodePoint(entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : Number(entity.slice(1)));
  });
}

/** The keys and the continuation token of a ListObjectsV2 answer. */
export function parseListing(xml: string): { keys: string[]; nextToken?: string } {
  const keys = [...xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>[\s\S]*?<\/Contents>/g)].map((match) => unescapeXml(match[1] ?? ""));
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  const token = /<NextContinuationToken>([\s\S]*?)<\/NextContinuationToken>/.exec(xml)?.[1];
  return { keys, ...(truncated && token ? { nextToken: unescapeXml(token) } : {}) };
}

/** Runs an S3 call; a network failure or a 5xx (after retries) becomes a 503, any other answer is the caller's. */
async function s3Call(operation: () => Promise<Response>): Promise<Response> {
  let response: Response;
  try {
    response = await operation();
  } catch (error) {
    if (error instanceof AwsUnreachableError) throw new DependencyUnavailableError("s3", error);
    throw error;
  }
  if (response.status >= 500) throw new DependencyUnavailableError("s3", await responseError("s3", response));
  return response;
}
