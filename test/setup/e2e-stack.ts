import { rmSync } from "node:fs";
import { resolve } from "node:path";
import type { TestProject } from "vitest/node";
import { loadLocalEnv, portsFromEnv } from "../../dev/env.ts";
import { startLocalStack } from "../../dev/local-stack.ts";
import { stageKeyPrefix } from "../../lib/config.ts";

export interface E2eStack {
  baseUrl: string;
  lambdaUrl: string;
  s3Url: string;
  /** DynamoDB (through the IAM proxy; the tests' own key passes unchecked). */
  dynamoUrl: string;
  /** The browser demo page, served by the stack and calling `baseUrl`. */
  webUrl: string;
  redisUrl: string;
  redisToken: string;
  /** The prefix of the stack's Redis keys (its stage's), for tests that read Redis behind the API. */
  redisKeyPrefix: string;
  /** dynalite, where the results table is, for tests that age a record. */
  dynamodbUrl: string;
  resultsTable: string;
  logFile: string;
}

declare module "vitest" {
  interface ProvidedContext {
    stack: E2eStack;
  }
}

/** Limits no test of the shared stack reaches. */
export const E2E_LIMITS = {
  SESSION_CREATE_LIMIT: "1000",
  IMAGE_JOBS_PER_CLIENT_PER_HOUR: "10000",
  CHAT_TURNS_PER_CLIENT_PER_HOUR: "100000",
  IMAGE_JOBS_PER_DAY: "10000",
  CHAT_TURNS_PER_DAY: "100000",
};

/** Where the e2e stack's IAM proxy records each call it decided, one JSON object per line. */
export const IAM_USAGE_FILE = "test-artifacts/iam-usage.jsonl";

// Ports apart from the dev stack's, so `npm test` runs while `npm run dev` is up.
const TEST_PORTS = { http: 3300, lambda: 3302, s3: 4669, dynamodb: 8100, upstash: 8179, web: 5273 };

/** Starts the whole dev stack (serverless-offline and every local service) for the end-to-end tests. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const base = loadLocalEnv();
  const env = Object.fromEntries(
    Object.entries(base).filter(([key]) => !/^(OFFLINE_|S3_LOCAL_|DYNAMODB_LOCAL_|UPSTASH_LOCAL_|WEB_PORT$)/.test(key)),
  );
  const ports = portsFromEnv(
    {
      OFFLINE_HTTP_PORT: base.E2E_HTTP_PORT,
      OFFLINE_LAMBDA_PORT: base.E2E_LAMBDA_PORT,
      S3_LOCAL_PORT: base.E2E_S3_PORT,
      DYNAMODB_LOCAL_PORT: base.E2E_DYNAMODB_PORT,
      UPSTASH_LOCAL_PORT: base.E2E_UPSTASH_PORT,
      WEB_PORT: base.E2E_WEB_PORT,
    },
    TEST_PORTS,
  );
  const logFile = resolve("test-artifacts", "offline.log");
  // Every call the functions make through the IAM proxy, for the least-privilege check (test/e2e/least-privilege.test.ts).
  const iamUsageFile = resolve(IAM_USAGE_FILE);
  rmSync(iamUsageFile, { force: true });
  const stack = await startLocalStack({
    ports,
    // Every test comes from 127.0.0.1: session creation, image jobs and chat turns are limited per IP (and per stage),
    // so the suite raises those limits; test/e2e/spend-limits.test.ts starts stacks of its own with small ones.
    env: { ...env, POWERTOOLS_METRICS_DISABLED: "false", S3_PUBLIC_ENDPOINT: "", ...E2E_LIMITS },
    output: logFile,
    workFolder: ".esbuild-test",
    iamUsageFile,
  });
  project.provide("stack", {
    baseUrl: stack.baseUrl,
    lambdaUrl: stack.lambdaUrl,
    s3Url: stack.s3Url,
    dynamoUrl: stack.env.DYNAMODB_ENDPOINT ?? "",
    webUrl: stack.webUrl,
    redisUrl: stack.upstash.url,
    redisToken: stack.env.UPSTASH_REDIS_REST_TOKEN ?? "",
    redisKeyPrefix: stageKeyPrefix({ REDIS_KEY_PREFIX: stack.env.REDIS_KEY_PREFIX ?? "hera", STAGE: stack.env.STAGE ?? "dev" }),
    dynamodbUrl: stack.env.DYNAMODB_ENDPOINT ?? "",
    resultsTable: stack.resultsTable,
    logFile,
  });
  return () => stack.stop();
}
