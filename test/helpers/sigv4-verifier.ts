import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256, type AwsCredentials } from "../../lib/clients/aws-http.ts";

/** A request as it arrived on the wire, and whether its SigV4 signature checks out against what arrived. */
export interface ArrivedRequest {
  method: string;
  /** The path exactly as sent (still percent-encoded). */
  rawPath: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The signature the sender gave and the one recomputed here from the request as received. */
  signature: { given: string | undefined; expected: string | undefined };
}

function parseQuery(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  for (const part of raw.split("&").filter(Boolean)) {
    const [key = "", value = ""] = part.split("=");
    query[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return query;
}

/**
 * Recomputes the SigV4 signature of a request from what arrived, as AWS does: the path as sent (S3) or encoded once
 * more (every other service), the query decoded and canonicalized again, only the headers the sender listed as
 * signed. A mismatch means that what was signed is not what was sent (an encoding drift, a header changed on the way).
 */
async function expectedSignature(
  arrived: Omit<ArrivedRequest, "signature">,
  host: string,
  options: { service: string; region: string; credentials: AwsCredentials },
): Promise<{ given: string | undefined; expected: string | undefined }> {
  const s3 = options.service === "s3";
  const signer = new SignatureV4({ ...options, sha256: Sha256, uriEscapePath: !s3, applyChecksum: false });
  const authorization = arrived.headers.authorization;
  if (typeof authorization === "string") {
    const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
    const given = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
    const headers = Object.fromEntries(signed.map((name) => [name, name === "host" ? host : String(arrived.headers[name] ?? "")]));
    const amzDate = String(arrived.headers["x-amz-date"] ?? "");
    const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
    const request = await signer.sign(
      { method: arrived.method, protocol: "http:", hostname: host, path: arrived.rawPath, query: arrived.query, headers, body: arrived.body.length > 0 ? arrived.body : undefined },
      { signingDate },
    );
    return { given, expected: /Signature=([0-9a-f]+)/.exec(String(request.headers.authorization))?.[1] };
  }
  // Query authentication (a presigned URL): sign the same request again with the same date and expiry.
  const { "X-Amz-Signature": given, "X-Amz-Date": amzDate = "", "X-Amz-Expires": expires = "900", ...rest } = arrived.query;
  const query = Object.fromEntries(Object.entries(rest).filter(([key]) => !key.startsWith("X-Amz-")));
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const presigned = await signer.presign(
    { method: arrived.method, protocol: "http:", hostname: host, path: arrived.rawPath, query, headers: { host, "X-Amz-Content-Sha256": rest["X-Amz-Content-Sha256"] ?? "UNSIGNED-PAYLOAD" } },
    { signingDate, expiresIn: Number(expires) },
  );
  const expected = presigned.query?.["X-Amz-Signature"];
  return { given, expected: typeof expected === "string" ? expected : undefined };
}

/** A local HTTP server that records every request and checks its signature; it answers with `respond`. */
export async function startVerifyingServer(
  options: { service: string; region: string; credentials: AwsCredentials },
  respond: (arrived: ArrivedRequest) => { status: number; body?: string; headers?: Record<string, string> } = () => ({ status: 200, body: "{}" }),
): Promise<{ origin: string; requests: ArrivedRequest[]; close(): Promise<void> }> {
  const requests: ArrivedRequest[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const [rawPath = "/", rawQuery = ""] = (request.url ?? "/").split("?");
        const arrived = { method: request.method ?? "GET", rawPath, query: parseQuery(rawQuery), headers: request.headers, body: Buffer.concat(chunks) };
        const signature = await expectedSignature(arrived, request.headers.host ?? "", options);
        const full: ArrivedRequest = { ...arrived, signature };
        requests.push(full);
        const answer = respond(full);
        response.writeHead(answer.status, answer.headers ?? {});
        response.end(answer.body ?? "");
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
