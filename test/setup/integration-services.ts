import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { startDynamo, startS3, startUpstashRest } from "../../dev/services.ts";

export interface IntegrationServices {
  redisUrl: string;
  redisToken: string;
  redisEngine: string;
  s3Endpoint: string;
  bucket: string;
  dynamoEndpoint: string;
  table: string;
  /** Where `sls package` writes each stage, once per run, for the test files that read the packages (test/helpers/packaged-stage.ts). */
  packagesDirectory: string;
}

declare module "vitest" {
  interface ProvidedContext {
    services: IntegrationServices;
  }
}

/** Starts the real local services on free ports for the integration tests, and stops them after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const token = "integration-token";
  const bucket = "hera-integration-photos";
  const table = "hera-integration-results";
  const directory = mkdtempSync(join(tmpdir(), "hera-s3-"));
  const packagesDirectory = mkdtempSync(join(tmpdir(), "hera-packages-"));
  const upstash = await startUpstashRest({ port: 0, token });
  const dynamo = await startDynamo(0, table);
  const s3 = await startS3(0, bucket, directory);
  project.provide("services", {
    redisUrl: upstash.url,
    redisToken: token,
    redisEngine: upstash.engine,
    s3Endpoint: s3.endpoint,
    bucket,
    dynamoEndpoint: dynamo.endpoint,
    table,
    packagesDirectory,
  });
  return async () => {
    await Promise.allSettled([upstash.close(), dynamo.close(), s3.close()]);
    rmSync(directory, { recursive: true, force: true });
    rmSync(packagesDirectory, { recursive: true, force: true });
  };
}
