// Which IAM action on which resource an HTTP request to a local service is, as AWS authorizes it. One table per
// service; a request no rule maps is denied by the proxy with a message naming the missing mapping, so a new AWS
// call fails loudly on the local stack until its mapping is added here (and its grant in serverless.yml).

import type { AwsCall } from "./policy.ts";

/** A request as the proxy received it (the body buffered: the services' requests are small, uploads are bounded). */
export interface ServiceRequest {
  method: string;
  /** The path, percent-decoded per segment. */
  segments: string[];
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Where the local stack runs, for the ARNs. */
export interface ArnContext {
  region: string;
  accountId: string;
}

/** The calls a request makes (all must be allowed), or why it cannot be mapped. */
export type Mapping = { calls: AwsCall[] } | { unmapped: string };

const header = (request: ServiceRequest, name: string): string | undefined => {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
};

// --- S3 (path-style requests: /bucket/key) -------------------------------------------------------------------------

// The query parameters that make a request another S3 operation (S3's "subresources"); the rest (prefix, list-type,
// response-content-type, X-Amz-*) only shape the same operation.
const S3_SUBRESOURCES = new Set([
  "acl",
  "attributes",
  "cors",
  "delete",
  "encryption",
  "legal-hold",
  "lifecycle",
  "location",
  "logging",
  "notification",
  "object-lock",
  "partNumber",
  "policy",
  "publicAccessBlock",
  "replication",
  "restore",
  "retention",
  "select",
  "tagging",
  "uploadId",
  "uploads",
  "versioning",
  "versionId",
  "versions",
  "website",
  "ownershipControls",
]);

interface S3Rule {
  method: string;
  on: "bucket" | "object";
  /** The subresource that selects the operation; none for the plain one. */
  subresource?: string;
  calls(bucket: string, key: string, request: ServiceRequest): AwsCall[];
}

const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
const objectArn = (bucket: string, key: string) => `arn:aws:s3:::${bucket}/${key}`;
const onObject = (action: string) => (bucket: string, key: string) => [{ action, resource: objectArn(bucket, key) }];

/** S3's operations, as IAM authorizes them (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html). */
export const S3_RULES: S3Rule[] = [
  { method: "GET", on: "object", calls: onObject("s3:GetObject") },
  { method: "HEAD", on: "object", calls: onObject("s3:GetObject") },
  {
    method: "PUT",
    on: "object",
    calls: (bucket, key, request) => {
      const source = header(request, "x-amz-copy-source");
      if (!source) return onObject("s3:PutObject")(bucket, key);
      // CopyObject: reading the source and writing the copy.
      const path = decodeURIComponent(source.replace(/^\//, "").split("?")[0] ?? "");
      return [
        { action: "s3:GetObject", resource: `arn:aws:s3:::${path}` },
        { action: "s3:PutObject", resource: objectArn(bucket, key) },
      ];
    },
  },
  { method: "DELETE", on: "object", calls: onObject("s3:DeleteObject") },
  { method: "GET", on: "object", subresource: "tagging", calls: onObject("s3:GetObjectTagging") },
  { method: "PUT", on: "object", subresource: "tagging", calls: onObject("s3:PutObjectTagging") },
  // Multipart uploads are writes of the object.
  { method: "POST", on: "object", subresource: "uploads", calls: onObject("s3:PutObject") },
  { method: "PUT", on: "object", subresource: "partNumber", calls: onObject("s3:PutObject") },
  { method: "POST", on: "object", subresource: "uploadId", calls: onObject("s3:PutObject") },
  { method: "DELETE", on: "object", subresource: "uploadId", calls: onObject("s3:AbortMultipartUpload") },
  {
    method: "GET",
    on: "bucket",
    calls: (bucket, _key, request) => [
      {
        action: "s3:ListBucket",
        resource: bucketArn(bucket),
        context: Object.fromEntries(
          (["prefix", "delimiter", "max-keys"] as const)
            .filter((name) => request.query.has(name))
            .map((name) => [`s3:${name}`, request.query.get(name) ?? ""]),
        ),
      },
    ],
  },
  // HeadBucket is authorized as ListBucket.
  { method: "HEAD", on: "bucket", calls: (bucket) => [{ action: "s3:ListBucket", resource: bucketArn(bucket) }] },
  {
    method: "GET",
    on: "bucket",
    subresource: "location",
    calls: (bucket) => [{ action: "s3:GetBucketLocation", resource: bucketArn(bucket) }],
  },
  // DeleteObjects is authorized per object as DeleteObject.
  {
    method: "POST",
    on: "bucket",
    subresource: "delete",
    calls: (bucket, _key, request) =>
      [...request.body.toString("utf8").matchAll(/<Key>([\s\S]*?)<\/Key>/g)].map((match) => ({
        action: "s3:DeleteObject",
        resource: objectArn(bucket, unescapeXml(match[1] ?? "")),
      })),
  },
];

function unescapeXml(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCodePoint(Number(code)))
    .replace(/&amp;/g, "&");
}

/** The IAM calls of an S3 request (path-style); a browser form POST is mapped by the POST-policy check instead. */
export function mapS3(request: ServiceRequest): Mapping {
  const [bucket, ...rest] = request.segments;
  if (!bucket) return { unmapped: `S3 ${request.method} / (ListBuckets) has no mapping` };
  const key = rest.join("/");
  const on = key ? "object" : "bucket";
  const subresources = [...request.query.keys()].filter((name) => S3_SUBRESOURCES.has(name));
  const rule = S3_RULES.find(
    (candidate) =>
      candidate.method === request.method &&
      candidate.on === on &&
      (candidate.subresource === undefined ? subresources.length === 0 : subresources.includes(candidate.subresource)),
  );
  if (!rule) {
    const what = `S3 ${request.method} on ${on === "object" ? "an object" : "a bucket"}${subresources.length ? ` ?${subresources.join("&")}` : ""}`;
    return { unmapped: `${what} has no IAM mapping: add a rule to S3_RULES in dev/iam/requests.ts` };
  }
  return { calls: rule.calls(bucket, key, request) };
}

// --- DynamoDB (JSON 1.0: POST / with X-Amz-Target) -----------------------------------------------------------------

/** DynamoDB operations on one table named by TableName; the IAM action is the operation's name. */
export const DYNAMODB_TABLE_OPERATIONS = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "DescribeTable",
  "DescribeTimeToLive",
  "CreateTable",
  "DeleteTable",
  "UpdateTable",
  "UpdateTimeToLive",
]);

interface DynamoBody {
  TableName?: string;
  RequestItems?: Record<string, Array<Record<string, unknown>>>;
  TransactItems?: Array<Record<string, { TableName?: string }>>;
}

// What each item of a transaction is authorized as.
const TRANSACT_ACTIONS: Record<string, string> = {
  Get: "dynamodb:GetItem",
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
};

/** The IAM calls of a DynamoDB request. */
export function mapDynamo(request: ServiceRequest, arn: ArnContext): Mapping {
  const target = header(request, "x-amz-target") ?? "";
  const operation = target.split(".")[1] ?? "";
  const table = (name: string | undefined) => `arn:aws:dynamodb:${arn.region}:${arn.accountId}:table/${name ?? ""}`;
  let body: DynamoBody;
  try {
    body = JSON.parse(request.body.toString("utf8") || "{}") as DynamoBody;
  } catch {
    return { unmapped: `DynamoDB ${operation || target} with a body that is not JSON` };
  }
  if (DYNAMODB_TABLE_OPERATIONS.has(operation)) return { calls: [{ action: `dynamodb:${operation}`, resource: table(body.TableName) }] };
  if (operation === "ListTables") return { calls: [{ action: "dynamodb:ListTables", resource: "*" }] };
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    return {
      calls: Object.entries(body.RequestItems ?? {}).flatMap(([name, items]) =>
        operation === "BatchGetItem"
          ? [{ action: "dynamodb:BatchGetItem", resource: table(name) }]
          : [...new Set(items.map((item) => ("PutRequest" in item ? "PutItem" : "DeleteItem")))].map((kind) => ({
              action: `dynamodb:${kind}`,
              resource: table(name),
            })),
      ),
    };
  }
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    const calls: AwsCall[] = [];
    for (const item of body.TransactItems ?? []) {
      for (const [kind, detail] of Object.entries(item)) {
        const action = TRANSACT_ACTIONS[kind];
        if (!action) return { unmapped: `DynamoDB ${operation} item ${kind} has no IAM mapping (dev/iam/requests.ts)` };
        calls.push({ action, resource: table(detail.TableName) });
      }
    }
    return { calls };
  }
  return {
    unmapped: `DynamoDB ${operation || `target ${JSON.stringify(target)}`} has no IAM mapping: add it to mapDynamo in dev/iam/requests.ts`,
  };
}

// --- Lambda (the REST API serverless-offline's Lambda endpoint speaks) ---------------------------------------------

/** The IAM calls of a Lambda API request. */
export function mapLambda(request: ServiceRequest, arn: ArnContext): Mapping {
  const [version, collection, name, operation] = request.segments;
  if (request.method === "POST" && version === "2015-03-31" && collection === "functions" && name && operation === "invocations") {
    const qualifier = request.query.get("Qualifier");
    const base = name.startsWith("arn:") ? name : `arn:aws:lambda:${arn.region}:${arn.accountId}:function:${name}`;
    return { calls: [{ action: "lambda:InvokeFunction", resource: qualifier ? `${base}:${qualifier}` : base }] };
  }
  return {
    unmapped: `Lambda ${request.method} /${request.segments.join("/")} has no IAM mapping: add it to mapLambda in dev/iam/requests.ts`,
  };
}
