// A checking proxy in front of a local service (s3rver, dynalite, serverless-offline's Lambda endpoint): it reads
// which function signed each request (its local access key, dev/iam/identities.mjs), maps the request to the IAM
// action and resource AWS would authorize (dev/iam/requests.ts), evaluates that function's role from the packaged
// template (dev/iam/roles.ts) and either passes the request on unchanged or answers as AWS answers a denial, so that
// the SDK raises the same AccessDenied error as in AWS. In front of S3 it also checks upload forms' POST policies
// (dev/iam/post-policy.ts). Every call it decides is appended to a usage file, which the least-privilege check reads.

import { randomUUID } from "node:crypto";
import { appendFileSync, mkdirSync } from "node:fs";
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { dirname } from "node:path";
import { functionOfAccessKeyId, LOCAL_SECRET_ACCESS_KEY } from "./identities.mjs";
import { evaluate, type AwsCall, type Grant } from "./policy.ts";
import { checkPostForm, parsePostForm, type PostRefusal } from "./post-policy.ts";
import { mapDynamo, mapLambda, mapS3, type ArnContext, type Mapping, type ServiceRequest } from "./requests.ts";
import type { FunctionRole } from "./roles.ts";

export type CheckedService = "s3" | "dynamodb" | "lambda";

/** One decided call, as the usage file records it (one JSON object per line). */
export interface UsageRecord {
  function: string;
  action: string;
  resource: string;
  allowed: boolean;
  /** The grant that allowed it: statement index and its action and resource patterns. */
  grant?: Grant;
  reason?: string;
}

export interface IamProxyOptions {
  service: CheckedService;
  /** Where the proxy listens (0: any free port). */
  port: number;
  /** The service behind it. */
  target: string;
  /** The functions' roles by deployed name; requests wait for them (the stack packages them while it starts). */
  roles: Promise<Map<string, FunctionRole>>;
  arn: ArnContext;
  /** Appended with one UsageRecord per decided call. */
  usageFile?: string | undefined;
  /** Where denials are reported (the stack's output). */
  log?: (line: string) => void;
  now?: () => number;
}

export interface IamProxy {
  url: string;
  port: number;
  close(): Promise<void>;
}

// Bodies are buffered to map and check them; uploads are capped well above the product's photo limit.
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Starts a checking proxy in front of one local service. */
export async function startIamProxy(options: IamProxyOptions): Promise<IamProxy> {
  const server: Server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      options.log?.(`IAM proxy (${options.service}): ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) response.writeHead(502, { "content-type": "text/plain" });
      response.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : options.port;
  return {
    url: `http://localhost:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        request.destroy(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/** The access key id a request is signed with: the Authorization header's, or a presigned URL's. */
function accessKeyOf(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const authorization = request.headers.authorization ?? "";
  const fromHeader = /Credential=([^/,\s]+)\//.exec(authorization)?.[1];
  return fromHeader ?? query.get("X-Amz-Credential")?.split("/")[0] ?? undefined;
}

async function handle(options: IamProxyOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://local");
  const body = await readBody(request);
  const method = request.method ?? "GET";
  const serviceRequest: ServiceRequest = {
    method,
    segments: url.pathname.split("/").filter(Boolean).map(decodeURIComponent),
    query: url.searchParams,
    headers: request.headers,
    body,
  };
  // CORS preflights carry no credentials; S3 answers them from the bucket's CORS rules.
  if (method === "OPTIONS") return forward(options, request, body, response);

  let accessKeyId = accessKeyOf(request, url.searchParams);
  let mapping: Mapping | undefined;
  const isForm = options.service === "s3" && method === "POST" && /^multipart\/form-data/i.test(request.headers["content-type"] ?? "");
  if (isForm && serviceRequest.segments.length === 1 && ![...url.searchParams.keys()].length) {
    // A browser's upload form: S3's POST-policy checks first, then the signer's role must allow writing the key.
    const bucket = serviceRequest.segments[0] ?? "";
    const form = await parsePostForm(body, request.headers["content-type"] ?? "");
    const verdict = checkPostForm(form, bucket, secretOf, options.now?.() ?? Date.now());
    if (!verdict.ok) return sendS3Error(response, verdict.refusal, method);
    accessKeyId = verdict.accessKeyId;
    mapping = { calls: [{ action: "s3:PutObject", resource: `arn:aws:s3:::${bucket}/${verdict.key}` }] };
  }

  const functionName = accessKeyId === undefined ? undefined : functionOfAccessKeyId(accessKeyId);
  if (functionName === undefined) {
    // Not a function: the tests' own harness (the emulators' key) passes unchecked; an unsigned request is
    // anonymous, which the private bucket and the other services refuse.
    if (accessKeyId !== undefined) return forward(options, request, body, response);
    return deny(
      options,
      response,
      method,
      "anonymous",
      { action: "(unsigned request)", resource: url.pathname },
      "the request is not signed",
    );
  }

  const roles = await options.roles;
  const role = roles.get(functionName);
  mapping ??= map(options, serviceRequest);
  if ("unmapped" in mapping) {
    return deny(options, response, method, functionName, { action: "(unmapped)", resource: url.pathname }, mapping.unmapped);
  }
  if (!role) {
    const call = mapping.calls[0] ?? { action: "(none)", resource: url.pathname };
    return deny(options, response, method, functionName, call, `no function ${functionName} in the packaged template`);
  }
  const grants: Array<[AwsCall, Grant]> = [];
  for (const call of mapping.calls) {
    const decision = evaluate(role.statements, call);
    if (!decision.allowed) {
      return deny(
        options,
        response,
        method,
        functionName,
        call,
        decision.detail ?? `because no identity-based policy allows the ${call.action} action`,
        role,
      );
    }
    grants.push([call, decision.grant]);
  }
  for (const [call, grant] of grants)
    record(options, { function: functionName, action: call.action, resource: call.resource, allowed: true, grant });

  // S3 tells a missing object (404) only to a caller that may list the bucket; to any other it answers 403.
  const read = options.service === "s3" && (method === "GET" || method === "HEAD") && serviceRequest.segments.length > 1;
  await forward(options, request, body, response, (status) => {
    if (!read || status !== 404) return undefined;
    const list: AwsCall = { action: "s3:ListBucket", resource: `arn:aws:s3:::${serviceRequest.segments[0]}` };
    const decision = evaluate(role.statements, list);
    if (decision.allowed) {
      record(options, { function: functionName, action: list.action, resource: list.resource, allowed: true, grant: decision.grant });
      return undefined;
    }
    return () => sendS3Error(response, { status: 403, code: "AccessDenied", message: "Access Denied" }, method);
  });
}

function secretOf(accessKeyId: string): string | undefined {
  if (functionOfAccessKeyId(accessKeyId) !== undefined) return LOCAL_SECRET_ACCESS_KEY;
  return accessKeyId === "S3RVER" ? "S3RVER" : undefined;
}

function map(options: IamProxyOptions, request: ServiceRequest): Mapping {
  if (options.service === "s3") return mapS3(request);
  if (options.service === "dynamodb") return mapDynamo(request, options.arn);
  return mapLambda(request, options.arn);
}

function record(options: IamProxyOptions, usage: UsageRecord): void {
  if (!options.usageFile) return;
  mkdirSync(dirname(options.usageFile), { recursive: true });
  appendFileSync(options.usageFile, `${JSON.stringify(usage)}\n`);
}

/** Passes the request on unchanged (its Host too, which its signature covers); `replace` may answer instead. */
function forward(
  options: IamProxyOptions,
  request: IncomingMessage,
  body: Buffer,
  response: ServerResponse,
  replace?: (status: number) => (() => void) | undefined,
): Promise<void> {
  const target = new URL(options.target);
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { hostname: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        const instead = replace?.(answer.statusCode ?? 502);
        if (instead) {
          answer.resume();
          instead();
          resolve();
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
        answer.on("end", () => resolve());
        answer.on("error", reject);
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}

function deny(
  options: IamProxyOptions,
  response: ServerResponse,
  method: string,
  functionName: string,
  call: AwsCall,
  why: string,
  role?: FunctionRole,
): void {
  record(options, { function: functionName, action: call.action, resource: call.resource, allowed: false, reason: why });
  const principal = role ? `arn:aws:sts::${options.arn.accountId}:assumed-role/${role.roleLogicalId}/${functionName}` : functionName;
  const message = `User: ${principal} is not authorized to perform: ${call.action} on resource: ${call.resource} ${why.startsWith("because") ? why : `(${why})`}`;
  options.log?.(`IAM (local stack): denied ${functionName} ${call.action} on ${call.resource}: ${why}`);
  if (options.service === "s3") {
    sendS3Error(response, { status: 403, code: "AccessDenied", message }, method);
    return;
  }
  if (options.service === "dynamodb") {
    response.writeHead(400, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": randomUUID() });
    response.end(JSON.stringify({ __type: "com.amazon.coral.service#AccessDeniedException", Message: message }));
    return;
  }
  response.writeHead(403, {
    "content-type": "application/json",
    "x-amzn-errortype": "AccessDeniedException",
    "x-amzn-requestid": randomUUID(),
  });
  response.end(JSON.stringify({ Type: "User", Message: message }));
}

// Text content: quotes stay as they are, as in S3's messages.
const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function sendS3Error(response: ServerResponse, refusal: PostRefusal, method: string): void {
  // S3 applies the bucket's CORS rules to its errors too, so a browser can read why its upload was refused.
  const origin = response.req.headers.origin;
  const cors = origin ? { "access-control-allow-origin": origin, vary: "Origin" } : {};
  const requestId = randomUUID().replace(/-/g, "").slice(0, 16).toUpperCase();
  const details = Object.entries(refusal.details ?? {})
    .map(([name, value]) => `<${name}>${escapeXml(value)}</${name}>`)
    .join("");
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message>${details}<RequestId>${requestId}</RequestId></Error>`;
  response.writeHead(refusal.status, { "content-type": "application/xml", "x-amz-request-id": requestId, ...cors });
  // A HEAD answer has no body (the SDK then names the error by its status).
  response.end(method === "HEAD" ? undefined : xml);
}
