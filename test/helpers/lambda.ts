import type { Context } from "aws-lambda";
import type { HttpEvent } from "../../lib/http/types.ts";

/** A Lambda context good enough for middy and powertools. */
export function fakeContext(requestId = "req-test-1"): Context {
  return {
    awsRequestId: requestId,
    functionName: "hera-test",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:ap-northeast-1:000000000000:function:hera-test",
    memoryLimitInMB: "512",
    logGroupName: "/aws/lambda/hera-test",
    logStreamName: "test",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** An HTTP API v2 event as API Gateway sends it. */
export function httpEvent(init: {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  sourceIp?: string;
}): HttpEvent {
  return {
    headers: init.headers ?? {},
    body: init.body,
    isBase64Encoded: false,
    pathParameters: init.pathParameters ?? null,
    requestContext: { http: { method: init.method ?? "POST", sourceIp: init.sourceIp ?? "203.0.113.7" }, requestId: "apigw-1" },
  };
}
