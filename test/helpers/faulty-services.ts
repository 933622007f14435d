import { createServer, type Server } from "node:http";
import type { IntegrationServices } from "../setup/integration-services.ts";
import { startFaultProxy, type FaultMode, type FaultProxy } from "./fault-proxy.ts";

/** The integration services, each behind a fault proxy, and a fake Lambda endpoint that queues every invocation. */
export interface FaultyServices {
  redis: FaultProxy;
  s3: FaultProxy;
  dynamo: FaultProxy;
  lambda: FaultProxy;
  /** Events the fake Lambda endpoint was asked to queue (InvocationType: Event). */
  invocations: unknown[];
  /** The environment that points the functions at the proxies; assign it to process.env before importing them. */
  env: Record<string, string>;
  /** Puts every proxy back to `pass`. */
  heal(): Promise<void>;
  close(): Promise<void>;
}

const portOf = (url: string): number => Number(new URL(url).port);

/** Starts a proxy in front of each service of `services` (and of a fake Lambda endpoint). */
export async function startFaultyServices(services: IntegrationServices): Promise<FaultyServices> {
  const invocations: unknown[] = [];
  // Lambda's Invoke API: POST /2015-03-31/functions/{name}/invocations; 202 when an Event is queued.
  const lambdaEndpoint: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      try {
        invocations.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        invocations.push(null);
      }
      response.writeHead(202, { "content-type": "application/json" }).end("");
    });
  });
  await new Promise<void>((resolve) => lambdaEndpoint.listen(0, "127.0.0.1", () => resolve()));
  const address = lambdaEndpoint.address();
  const lambdaPort = typeof address === "object" && address ? address.port : 0;

  const [redis, s3, dynamo, lambda] = await Promise.all([
    startFaultProxy({ port: portOf(services.redisUrl) }),
    startFaultProxy({ port: portOf(services.s3Endpoint) }),
    startFaultProxy({ port: portOf(services.dynamoEndpoint) }),
    startFaultProxy({ port: lambdaPort }),
  ]);
  const proxies = [redis, s3, dynamo, lambda];
  return {
    redis,
    s3,
    dynamo,
    lambda,
    invocations,
    env: {
      UPSTASH_REDIS_REST_URL: redis.url,
      UPSTASH_REDIS_REST_TOKEN: services.redisToken,
      PHOTO_BUCKET: services.bucket,
      RESULTS_TABLE: services.table,
      S3_ENDPOINT: s3.url,
      DYNAMODB_ENDPOINT: dynamo.url,
      LAMBDA_ENDPOINT: lambda.url,
      POWERTOOLS_METRICS_DISABLED: "true",
      POWERTOOLS_LOG_LEVEL: "SILENT",
    },
    async heal() {
      await Promise.all(proxies.filter((proxy) => proxy.mode !== "pass").map((proxy) => proxy.set("pass")));
    },
    async close() {
      await Promise.all(proxies.map((proxy) => proxy.close()));
      lambdaEndpoint.closeAllConnections();
      await new Promise((resolve) => lambdaEndpoint.close(resolve));
    },
  };
}

export type { FaultMode };
