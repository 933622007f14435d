import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createPresignedPost } from "@aws-sdk/s3-presigned-post";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { AwsHttpClient, AwsUnreachableError, credentialsFromEnvironment, encodeRfc3986 } from "../../lib/clients/aws-http.ts";
import { DynamoDbApi, isDynamoError } from "../../lib/clients/dynamodb.ts";
import { createS3Bucket, createUploadSigner } from "../../lib/clients/s3.ts";
import { ssmParameterSource } from "../../lib/clients/ssm.ts";
import { createLambdaDispatcher } from "../../lib/images/dispatch.ts";
import { parseListing, S3ObjectStore } from "../../lib/storage/s3-object-store.ts";
import { startVerifyingServer, type ArrivedRequest } from "../helpers/sigv4-verifier.ts";

// The functions reach S3, DynamoDB, Lambda and SSM with signed fetch requests instead of the AWS SDK clients (see
// lib/clients/aws-http.ts). These tests hold them to the SDK: presigned URLs and forms equal the SDK's own, field for
// field, and every request that goes out carries a signature that checks out against what arrived.

const REGION = "ap-northeast-1";
const CREDENTIALS = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", sessionToken: "session/token+with=odd chars" };
const NOW = new Date("2026-11-22T10:11:12.000Z");
const sdkS3 = (endpoint?: string) =>
  new S3Client({ region: REGION, credentials: CREDENTIALS, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });

describe("presigned S3 URLs and forms, against the SDK's", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => vi.useRealTimers());

  const keys = ["sessions/AbCdEfGhIjKlMnOpQrStUv/images/partner.png", "sessions/x/uploads/a b+c=d&é~(1)/user-photo"];
  for (const endpoint of [undefined, "http://localhost:4569"]) {
    for (const key of keys) {
      it(`signs the same GET URL as getSignedUrl (${endpoint ? "path style" : "virtual-hosted"}, ${JSON.stringify(key)})`, async () => {
        // Prepare
        const objects = new S3ObjectStore(createS3Bucket({ bucket: "hera-api-photos-prod", region: REGION, endpoint, credentials: CREDENTIALS }));
        // Act
        const ours = new URL(await objects.presignDownload(key, 600));
        const sdk = new URL(await getSignedUrl(sdkS3(endpoint), new GetObjectCommand({ Bucket: "hera-api-photos-prod", Key: key }), { expiresIn: 600 }));
        // Assess
        expect(ours.origin + ours.pathname).toBe(sdk.origin + sdk.pathname);
        expect(Object.fromEntries(ours.searchParams)).toEqual(Object.fromEntries(sdk.searchParams));
      });
    }

    it(`makes the same presigned POST form as createPresignedPost (${endpoint ? "path style" : "virtual-hosted"})`, async () => {
      const key = "sessions/AbCdEfGhIjKlMnOpQrStUv/uploads/u1/user-photo";
      const signer = createUploadSigner({ bucket: "hera-api-photos-prod", region: REGION, endpoint, credentials: CREDENTIALS });

      const ours = await signer.presignUpload({ key, contentType: "image/jpeg", contentLength: 12345, expiresInSeconds: 300 });
      const sdk = await createPresignedPost(sdkS3(endpoint), {
        Bucket: "hera-api-photos-prod",
        Key: key,
        Fields: { "Content-Type": "image/jpeg" },
        Conditions: [
          ["eq", "$Content-Type", "image/jpeg"],
          ["content-length-range", 12345, 12345],
        ],
        Expires: 300,
      });

      expect(ours).toEqual(sdk);
    });
  }
});

describe("signed requests, checked against what arrived", () => {
  const expectAllSigned = (requests: ArrivedRequest[]) => {
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) expect(request.signature.given, `${request.method} ${request.rawPath}`).toBe(request.signature.expected);
  };

  it("S3: read, exists, write, remove, list and batch delete, presigned GET", async () => {
    // Prepare: a server that answers like S3 for one object and a listing of two keys.
    const server = await startVerifyingServer({ service: "s3", region: REGION, credentials: CREDENTIALS }, (request) => {
      if (request.query["list-type"] === "2") {
        return { status: 200, body: "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>sessions/s/a &amp; b</Key></Contents><Contents><Key>sessions/s/c</Key></Contents></ListBucketResult>" };
      }
      if (request.query.delete === "") return { status: 200, body: "<DeleteResult></DeleteResult>" };
      if (request.method === "GET") return { status: 206, body: "abc", headers: { "content-range": "bytes 0-2/10", "content-type": "image/png" } };
      return { status: request.method === "DELETE" ? 204 : 200 };
    });
    const objects = new S3ObjectStore(createS3Bucket({ bucket: "hera-api-photos-dev", region: REGION, endpoint: server.origin, credentials: CREDENTIALS }));
    const key = "sessions/s/uploads/a b+c=d&é~(1)/user-photo";
    try {
      // Act
      const read = await objects.read(key, 2);
      const exists = await objects.exists(key);
      await objects.write("sessions/s/images/partner.png", Buffer.from("png bytes"), "image/png");
      await objects.remove(key);
      const removed = await objects.removePrefix("sessions/s/");
      const url = await objects.presignDownload(key, 60);
      await fetch(url);
      // Assess
      expect(read).toEqual({ bytes: Buffer.from("abc"), size: 10, contentType: "image/png" });
      expect(exists).toBe(true);
      expect(removed).toBe(2);
      expectAllSigned(server.requests);
      const batch = server.requests.find((request) => request.query.delete === "");
      expect(batch?.body.toString()).toContain("<Key>sessions/s/a &amp; b</Key>");
      expect(batch?.headers["content-md5"]).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      expect(server.requests[0]?.rawPath).toBe(`/hera-api-photos-dev/sessions/s/uploads/${encodeRfc3986("a b+c=d&é~(1)")}/user-photo`);
      expect(server.requests[0]?.headers.range).toBe("bytes=0-2");
    } finally {
      await server.close();
    }
  });

  it("DynamoDB: a JSON call with its target, and its error code", async () => {
    const server = await startVerifyingServer({ service: "dynamodb", region: REGION, credentials: CREDENTIALS }, (request) =>
      String(request.headers["x-amz-target"]).endsWith("PutItem")
        ? { status: 400, body: JSON.stringify({ __type: "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", message: "no" }) }
        : { status: 200, body: JSON.stringify({ Item: { sessionId: { S: "x" } } }) },
    );
    const api = new DynamoDbApi(new AwsHttpClient({ service: "dynamodb", region: REGION, origin: server.origin, credentials: () => CREDENTIALS, timeoutMs: 2000 }));
    try {
      const item = await api.call<{ Item: unknown }>("GetItem", { TableName: "t", Key: { sessionId: { S: "x" } } });
      const refused = await api.call("PutItem", { TableName: "t", Item: {} }).catch((error: unknown) => error);

      expect(item).toEqual({ Item: { sessionId: { S: "x" } } });
      expect(isDynamoError(refused, "ConditionalCheckFailedException")).toBe(true);
      expect(server.requests.map((request) => request.headers["x-amz-target"])).toEqual(["DynamoDB_20120810.GetItem", "DynamoDB_20120810.PutItem"]);
      expect(server.requests[0]?.headers["content-type"]).toBe("application/x-amz-json-1.0");
      expectAllSigned(server.requests);
    } finally {
      await server.close();
    }
  });

  it("Lambda: an asynchronous invocation of the worker", async () => {
    const server = await startVerifyingServer({ service: "lambda", region: REGION, credentials: CREDENTIALS }, () => ({ status: 202 }));
    const client = new AwsHttpClient({ service: "lambda", region: REGION, origin: server.origin, credentials: () => CREDENTIALS, timeoutMs: 2000 });
    try {
      await createLambdaDispatcher(client, "hera-api-prod-imageWorker", 2000).dispatch({ sessionId: "AbCdEfGhIjKlMnOpQrStUv", kind: "partner", jobId: "j1" });

      expect(server.requests[0]?.rawPath).toBe("/2015-03-31/functions/hera-api-prod-imageWorker/invocations");
      expect(server.requests[0]?.headers["x-amz-invocation-type"]).toBe("Event");
      expectAllSigned(server.requests);
    } finally {
      await server.close();
    }
  });

  it("SSM: GetParameters with decryption, ten names a call", async () => {
    const server = await startVerifyingServer({ service: "ssm", region: REGION, credentials: CREDENTIALS }, (request) => {
      const { Names } = JSON.parse(request.body.toString()) as { Names: string[] };
      return { status: 200, body: JSON.stringify({ Parameters: Names.filter((name) => name !== "/missing").map((Name) => ({ Name, Value: `value of ${Name}` })), InvalidParameters: ["/missing"] }) };
    });
    const names = [...Array.from({ length: 11 }, (_, i) => `/hera/test/p${i}`), "/missing"];
    try {
      const values = await ssmParameterSource({ region: REGION, endpoint: server.origin, credentials: CREDENTIALS }).getSecureStrings(names);

      expect(Object.keys(values)).toHaveLength(11);
      expect(values["/hera/test/p3"]).toBe("value of /hera/test/p3");
      expect(server.requests.map((request) => (JSON.parse(request.body.toString()) as { Names: string[] }).Names.length)).toEqual([10, 2]);
      expect(server.requests[0]?.headers["x-amz-target"]).toBe("AmazonSSM.GetParameters");
      expect(JSON.parse(server.requests[0]?.body.toString() ?? "{}")).toMatchObject({ WithDecryption: true });
      expectAllSigned(server.requests);
    } finally {
      await server.close();
    }
  });
});

describe("AwsHttpClient", () => {
  it("retries a 503 once, then answers what came", async () => {
    let calls = 0;
    const server = await startVerifyingServer({ service: "dynamodb", region: REGION, credentials: CREDENTIALS }, () => ({ status: ++calls === 1 ? 503 : 200, body: "{}" }));
    const client = new AwsHttpClient({ service: "dynamodb", region: REGION, origin: server.origin, credentials: () => CREDENTIALS, timeoutMs: 2000, maxAttempts: 2 });
    try {
      const response = await client.send({ method: "POST", path: "/", body: "{}" });
      expect(response.status).toBe(200);
      expect(calls).toBe(2);
    } finally {
      await server.close();
    }
  });

  it("says AWS is unreachable when nothing answers", async () => {
    const client = new AwsHttpClient({ service: "s3", region: REGION, origin: "http://127.0.0.1:9", credentials: () => CREDENTIALS, timeoutMs: 500, maxAttempts: 2 });
    await expect(client.send({ method: "HEAD", path: "/" })).rejects.toBeInstanceOf(AwsUnreachableError);
  });

  it("takes the role's credentials from the environment in AWS, and the emulators' pair locally", () => {
    expect(credentialsFromEnvironment(undefined, { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_SESSION_TOKEN: "c" })).toEqual({ accessKeyId: "a", secretAccessKey: "b", sessionToken: "c" });
    expect(credentialsFromEnvironment("http://localhost:4569", {})).toEqual({ accessKeyId: "S3RVER", secretAccessKey: "S3RVER" });
    expect(() => credentialsFromEnvironment(undefined, {})).toThrow("AWS_ACCESS_KEY_ID");
  });
});

describe("parseListing", () => {
  it("reads keys (unescaped) and the continuation token of a truncated page", () => {
    const page = parseListing(
      "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>a&amp;b&#x41;</Key><Size>1</Size></Contents><NextContinuationToken>tok/+=</NextContinuationToken></ListBucketResult>",
    );
    expect(page).toEqual({ keys: ["a&bA"], nextToken: "tok/+=" });
  });
});
