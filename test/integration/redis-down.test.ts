import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

const services = inject("services");
let blackhole: Server;

// A Redis REST endpoint that accepts connections and never answers: the worst kind of outage.
beforeAll(async () => {
  blackhole = createServer(() => undefined);
  await new Promise<void>((resolve) => blackhole.listen(0, "127.0.0.1", () => resolve()));
  const address = blackhole.address();
  const port = typeof address === "object" && address ? address.port : 0;
  Object.assign(process.env, {
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${port}`,
    UPSTASH_REDIS_REST_TOKEN: "token",
    REDIS_TIMEOUT_MS: "800",
    REDIS_RETRIES: "1",
    PHOTO_BUCKET: services.bucket,
    RESULTS_TABLE: services.table,
    S3_ENDPOINT: services.s3Endpoint,
    DYNAMODB_ENDPOINT: services.dynamoEndpoint,
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "SILENT",
  });
});

afterAll(async () => {
  blackhole.closeAllConnections();
  await new Promise((resolve) => blackhole.close(resolve));
});

describe("when Redis does not answer", () => {
  it("answers session calls with 503 and Retry-After within a few seconds, leaking no command", async () => {
    const { handler } = await import("../../functions/get-session.ts");
    const started = Date.now();
    const response = await handler(
      httpEvent({ method: "GET", pathParameters: { sessionId: "AAAAAAAAAAAAAAAAAAAAAA" }, headers: { authorization: "Bearer abc" } }),
      fakeContext(),
    );
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.statusCode).toBe(503);
    expect(response.headers["Retry-After"]).toBe("5");
    expect(response.headers).toMatchObject({
      "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
      "X-Frame-Options": "DENY",
    });
    expect(response.body).toContain("dependency_unavailable");
    expect(response.body).not.toMatch(/HGETALL|command|hera:/i);
  });

  it("reports health 503 with Redis named and the other checks ok", async () => {
    const { handler } = await import("../../functions/health.ts");
    const started = Date.now();
    const response = await handler(httpEvent({ method: "GET" }), fakeContext());
    expect(Date.now() - started).toBeLessThan(5000);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body ?? "{}")).toMatchObject({
      status: "unavailable",
      checks: { redis: { status: "unavailable" }, s3: { status: "ok" }, dynamodb: { status: "ok" } },
    });
  });

  it("creates no session and answers 503", async () => {
    const { handler } = await import("../../functions/create-session.ts");
    const response = await handler(
      httpEvent({ body: JSON.stringify({ locale: "en" }), headers: { "content-type": "application/json" } }),
      fakeContext(),
    );
    expect(response.statusCode).toBe(503);
  });
});
