import { describe, expect, it } from "vitest";
import { accessKeyIdOf, functionOfAccessKeyId } from "../../dev/iam/identities.mjs";
import { evaluate, grantsOf, type PolicyStatement } from "../../dev/iam/policy.ts";
import { checkPostForm, signPolicy, type PostForm } from "../../dev/iam/post-policy.ts";
import type { UsageRecord } from "../../dev/iam/proxy.ts";
import { mapDynamo, mapLambda, mapS3, type ServiceRequest } from "../../dev/iam/requests.ts";
import { functionRoles, type PackagedTemplate } from "../../dev/iam/roles.ts";
import { callsWithoutGrant, unusedGrants } from "../../dev/iam/usage.ts";

/** A variable of Fn::Sub's text. */
const cfnVariable = (name: string) => ["$", "{", name, "}"].join("");
const ARN = { region: "ap-northeast-1", accountId: "000000000000" };
const request = (init: Partial<ServiceRequest> & { path: string }): ServiceRequest => {
  const url = new URL(init.path, "http://local");
  return {
    method: init.method ?? "GET",
    segments: url.pathname.split("/").filter(Boolean).map(decodeURIComponent),
    query: url.searchParams,
    headers: init.headers ?? {},
    body: init.body ?? Buffer.alloc(0),
  };
};

describe("local IAM: policy evaluation", () => {
  const statements: PolicyStatement[] = [
    { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::photos/sessions/*" },
    {
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: "arn:aws:s3:::photos",
      Condition: { StringLike: { "s3:prefix": ["sessions/*"] } },
    },
    { Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::photos/sessions/secret" },
  ];

  it("allows an action on a resource its wildcard covers, naming the grant", () => {
    expect(evaluate(statements, { action: "s3:GetObject", resource: "arn:aws:s3:::photos/sessions/a/b" })).toEqual({
      allowed: true,
      grant: { statement: 0, action: "s3:GetObject", resource: "arn:aws:s3:::photos/sessions/*" },
    });
  });

  it("denies another action, another resource, and what an explicit Deny covers", () => {
    expect(evaluate(statements, { action: "s3:PutObject", resource: "arn:aws:s3:::photos/sessions/a" }).allowed).toBe(false);
    expect(evaluate(statements, { action: "s3:GetObject", resource: "arn:aws:s3:::photos/other" }).allowed).toBe(false);
    expect(evaluate(statements, { action: "s3:GetObject", resource: "arn:aws:s3:::photos/sessions/secret" })).toMatchObject({
      reason: "explicit",
    });
  });

  it("holds a call to the statement's conditions, and refuses an operator it cannot evaluate, naming it", () => {
    const list = { action: "s3:ListBucket", resource: "arn:aws:s3:::photos" };
    expect(evaluate(statements, { ...list, context: { "s3:prefix": "sessions/x/" } }).allowed).toBe(true);
    expect(evaluate(statements, { ...list, context: { "s3:prefix": "other/" } }).allowed).toBe(false);
    const unknown = evaluate(
      [{ Effect: "Allow", Action: "s3:ListBucket", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "1.2.3.4" } } }],
      list,
    );
    expect(unknown).toMatchObject({ allowed: false, detail: expect.stringContaining("IpAddress") });
  });

  it("lists a role's grants, one per action and resource", () => {
    expect(grantsOf(statements.slice(0, 2))).toHaveLength(2);
  });
});

describe("local IAM: requests as IAM sees them", () => {
  it("maps S3 object and bucket requests, CopyObject and DeleteObjects", () => {
    expect(mapS3(request({ method: "HEAD", path: "/photos/sessions/a%20b" }))).toEqual({
      calls: [{ action: "s3:GetObject", resource: "arn:aws:s3:::photos/sessions/a b" }],
    });
    expect(mapS3(request({ method: "GET", path: "/photos?list-type=2&prefix=sessions/x/" }))).toEqual({
      calls: [{ action: "s3:ListBucket", resource: "arn:aws:s3:::photos", context: { "s3:prefix": "sessions/x/" } }],
    });
    expect(mapS3(request({ method: "PUT", path: "/photos/b", headers: { "x-amz-copy-source": "/photos/a" } }))).toEqual({
      calls: [
        { action: "s3:GetObject", resource: "arn:aws:s3:::photos/a" },
        { action: "s3:PutObject", resource: "arn:aws:s3:::photos/b" },
      ],
    });
    const body = Buffer.from("<Delete><Object><Key>sessions/a&amp;b</Key></Object><Object><Key>sessions/c</Key></Object></Delete>");
    expect(mapS3(request({ method: "POST", path: "/photos?delete", body }))).toEqual({
      calls: [
        { action: "s3:DeleteObject", resource: "arn:aws:s3:::photos/sessions/a&b" },
        { action: "s3:DeleteObject", resource: "arn:aws:s3:::photos/sessions/c" },
      ],
    });
  });

  it("names the missing mapping of a request no rule maps", () => {
    expect(mapS3(request({ method: "PUT", path: "/photos/a?acl" }))).toEqual({
      unmapped: expect.stringContaining("?acl has no IAM mapping"),
    });
    const dynamo = request({
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "DynamoDB_20120810.ExportTableToPointInTime" },
      body: Buffer.from("{}"),
    });
    expect(mapDynamo(dynamo, ARN)).toEqual({ unmapped: expect.stringContaining("ExportTableToPointInTime has no IAM mapping") });
    expect(mapLambda(request({ method: "GET", path: "/2015-03-31/functions/x" }), ARN)).toEqual({
      unmapped: expect.stringContaining("no IAM mapping"),
    });
  });

  it("maps DynamoDB operations to the table's ARN, and transactions item by item", () => {
    const get = request({
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "DynamoDB_20120810.DeleteItem" },
      body: Buffer.from('{"TableName":"t"}'),
    });
    expect(mapDynamo(get, ARN)).toEqual({
      calls: [{ action: "dynamodb:DeleteItem", resource: "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t" }],
    });
    const transaction = request({
      method: "POST",
      path: "/",
      headers: { "x-amz-target": "DynamoDB_20120810.TransactWriteItems" },
      body: Buffer.from(JSON.stringify({ TransactItems: [{ Put: { TableName: "t" } }, { ConditionCheck: { TableName: "u" } }] })),
    });
    expect(mapDynamo(transaction, ARN)).toMatchObject({
      calls: [{ action: "dynamodb:PutItem" }, { action: "dynamodb:ConditionCheckItem" }],
    });
  });

  it("maps a Lambda invocation to the function's ARN", () => {
    expect(mapLambda(request({ method: "POST", path: "/2015-03-31/functions/hera-api-dev-imageWorker/invocations" }), ARN)).toEqual({
      calls: [
        { action: "lambda:InvokeFunction", resource: "arn:aws:lambda:ap-northeast-1:000000000000:function:hera-api-dev-imageWorker" },
      ],
    });
  });
});

describe("local IAM: roles from the packaged template", () => {
  const template: PackagedTemplate = {
    Resources: {
      Bucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: { "Fn::Sub": `b-${cfnVariable("AWS::AccountId")}` } } },
      Table: { Type: "AWS::DynamoDB::Table", Properties: { TableName: "t" } },
      FnLambdaFunction: {
        Type: "AWS::Lambda::Function",
        Properties: {
          FunctionName: "svc-dev-fn",
          Role: { "Fn::GetAtt": ["FnRole", "Arn"] },
          Environment: { Variables: { A_PARAMETER: "/p/a" } },
        },
      },
      FnRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          Policies: [
            {
              PolicyDocument: {
                Statement: [
                  { Effect: "Allow", Action: ["s3:GetObject"], Resource: { "Fn::Sub": `${cfnVariable("Bucket.Arn")}/sessions/*` } },
                  { Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: { "Fn::GetAtt": ["Table", "Arn"] } },
                  { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: { "Fn::Join": ["", ["arn:aws:ssm:x:y:parameter", "/p/a"]] } },
                ],
              },
            },
          ],
        },
      },
    },
  };
  const roles = functionRoles(template, { ...ARN, names: { Bucket: "local-bucket" } });
  const role = roles.get("svc-dev-fn")!;

  it("resolves Ref, Fn::GetAtt, Fn::Sub and Fn::Join against the local names", () => {
    expect(role.statements.map((statement) => statement.Resource)).toEqual([
      "arn:aws:s3:::local-bucket/sessions/*",
      "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t",
      "arn:aws:ssm:x:y:parameter/p/a",
    ]);
  });

  it("fails on a call without a grant and on a grant no call used, naming the function", () => {
    const usage: UsageRecord[] = [
      {
        function: "svc-dev-fn",
        action: "s3:GetObject",
        resource: "arn:aws:s3:::local-bucket/sessions/a",
        allowed: true,
        grant: { statement: 0, action: "s3:GetObject", resource: "arn:aws:s3:::local-bucket/sessions/*" },
      },
      {
        function: "svc-dev-fn",
        action: "dynamodb:DeleteItem",
        resource: "arn:aws:dynamodb:ap-northeast-1:000000000000:table/t",
        allowed: false,
        reason: "no grant",
      },
    ];
    const short = (name: string) => name.replace("svc-dev-", "");
    expect(callsWithoutGrant(usage, short)).toEqual([
      "fn called dynamodb:DeleteItem on arn:aws:dynamodb:ap-northeast-1:000000000000:table/t without a grant (no grant)",
    ]);
    // The parameter its environment names is read by the secrets extension: used, though no recorded call read it.
    expect(unusedGrants(roles.values(), usage, short)).toEqual([
      "fn is granted dynamodb:GetItem on arn:aws:dynamodb:ap-northeast-1:000000000000:table/t and no test used it",
    ]);
  });
});

describe("local IAM: each function's own key", () => {
  it("names the function, and no other key", () => {
    expect(functionOfAccessKeyId(accessKeyIdOf("hera-api-dev-getSession"))).toBe("hera-api-dev-getSession");
    expect(functionOfAccessKeyId("S3RVER")).toBeUndefined();
  });
});

describe("S3's POST policy checks", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  const secret = "secret";
  const form = (override: { policy?: object; fields?: Record<string, string>; size?: number; signWith?: string } = {}): PostForm => {
    const policy = override.policy ?? {
      expiration: "2026-01-01T00:10:00Z",
      conditions: [
        { bucket: "photos" },
        ["eq", "$key", "sessions/a/user-photo"],
        ["eq", "$Content-Type", "image/jpeg"],
        ["content-length-range", 10, 10],
        { "X-Amz-Credential": "AK/20260101/ap-northeast-1/s3/aws4_request" },
        { "X-Amz-Algorithm": "AWS4-HMAC-SHA256" },
        { "X-Amz-Date": "20260101T000000Z" },
      ],
    };
    const encoded = Buffer.from(JSON.stringify(policy)).toString("base64");
    const fields: Record<string, string> = {
      bucket: "photos",
      key: "sessions/a/user-photo",
      "Content-Type": "image/jpeg",
      "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
      "X-Amz-Credential": "AK/20260101/ap-northeast-1/s3/aws4_request",
      "X-Amz-Date": "20260101T000000Z",
      Policy: encoded,
      "X-Amz-Signature": signPolicy(encoded, override.signWith ?? secret, "20260101", "ap-northeast-1"),
      ...override.fields,
    };
    return { fields: Object.entries(fields), file: { size: override.size ?? 10 } };
  };
  const check = (posted: PostForm, at = now) => checkPostForm(posted, "photos", (key) => (key === "AK" ? secret : undefined), at);

  it("accepts the form as signed", () => {
    expect(check(form())).toEqual({ ok: true, key: "sessions/a/user-photo", accessKeyId: "AK" });
  });

  it("refuses a wrong key, type, size, an expired policy and a foreign signature as S3 does", () => {
    expect(check(form({ fields: { key: "sessions/b/user-photo" } }))).toMatchObject({
      refusal: {
        status: 403,
        code: "AccessDenied",
        message: expect.stringMatching(/^Invalid according to Policy: Policy Condition failed: \["eq", "\$key"/),
      },
    });
    expect(check(form({ fields: { "Content-Type": "image/png" } }))).toMatchObject({ refusal: { status: 403, code: "AccessDenied" } });
    expect(check(form({ size: 11 }))).toMatchObject({ refusal: { status: 400, code: "EntityTooLarge" } });
    expect(check(form({ size: 9 }))).toMatchObject({ refusal: { status: 400, code: "EntityTooSmall" } });
    expect(check(form(), Date.parse("2026-01-01T00:10:01Z"))).toMatchObject({
      refusal: { message: "Invalid according to Policy: Policy expired." },
    });
    expect(check(form({ signWith: "other" }))).toMatchObject({ refusal: { status: 403, code: "SignatureDoesNotMatch" } });
    expect(check(form({ fields: { "x-amz-meta-extra": "1" } }))).toMatchObject({
      refusal: { message: "Invalid according to Policy: Extra input fields: x-amz-meta-extra" },
    });
  });
});
