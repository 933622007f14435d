import { readFileSync } from "node:fs";
import type { Server } from "node:http";
import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";
import S3rver from "s3rver";
import { startUpstashRest, type UpstashRestServer } from "./upstash-rest.ts";

/** The results table as serverless.yml declares it: one record per session. */
export const RESULTS_TABLE_KEY = "sessionId";

export interface DynaliteHandle {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts dynalite in memory on the port and creates the results table. */
export async function startDynamo(port: number, tableName: string): Promise<DynaliteHandle> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const endpoint = `http://localhost:${typeof address === "object" && address ? address.port : port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "ap-northeast-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: RESULTS_TABLE_KEY, AttributeType: "S" }],
        KeySchema: [{ AttributeName: RESULTS_TABLE_KEY, KeyType: "HASH" }],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  } finally {
    client.destroy();
  }
  let closed = false;
  return {
    endpoint,
    close: async () => {
      if (closed) return;
      closed = true;
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface S3Handle {
  endpoint: string;
  close(): Promise<void>;
}

/** Starts a standalone s3rver (for integration tests; the dev stack runs it inside serverless-offline). */
export async function startS3(port: number, bucket: string, directory: string): Promise<S3Handle> {
  const cors = readFileSync(new URL("./s3-cors.xml", import.meta.url), "utf8");
  const server = new S3rver({
    address: "127.0.0.1",
    port,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket, configs: [cors] }],
  });
  const info = await server.run();
  return {
    endpoint: `http://localhost:${info.port}`,
    close: async () => {
      await server.close();
    },
  };
}

export { startUpstashRest, type UpstashRestServer };
