import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "@upstash/redis";
import { parse } from "yaml";
import { startDynamo, startS3, startUpstashRest } from "../dev/services.ts";
import { INTERVIEWS } from "../test/fixtures/interviews.ts";
import { startFakeParametersExtension } from "../test/fakes/parameters-extension.ts";
import { postForm } from "./client.ts";
import { coldLoadEnv } from "./cold-load.ts";
import { median, quantile } from "./stats.ts";

/** The first request of one function: medians over fresh Node processes that import the bundle and answer one event. */
export interface FirstRequest {
  name: string;
  runs: number;
  /** What the first event is, and what the function answered (the HTTP status; 0 for an event function). */
  event: string;
  status: number;
  /** `await import(bundle)`: Lambda's Init phase for our code. */
  importMs: number;
  /** From the start of the import to the answer of the first event: what the first caller waits for beyond Node's start. */
  firstMs: number;
  firstP90Ms: number;
  /** Spawn to the answer: Node's own start-up, the import and the first answer (the process's exit is not counted). */
  processMs: number;
}

export type FirstRequestRatios = FirstRequest & { importRatio: number; firstRatio: number; processRatio: number };

// What the child runs: import the bundle, answer one event with a Lambda-like context, report the times on fd 3.
const CHILD = `
import { writeSync } from "node:fs";
const started = performance.now();
const { handler } = await import(process.argv[1]);
const imported = performance.now();
const context = {
  awsRequestId: "bench-first-request", functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:ap-northeast-1:000000000000:function:bench", memoryLimitInMB: "512",
  logGroupName: "/aws/lambda/bench", logStreamName: "bench", callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 60000,
};
let status = 0;
let body;
try {
  const result = await handler(JSON.parse(process.env.BENCH_EVENT), context);
  status = result?.statusCode ?? 0;
  body = result?.body;
} catch (error) {
  status = -1;
  body = String(error?.stack ?? error);
}
const answered = performance.now();
writeSync(3, JSON.stringify({ importMs: imported - started, firstMs: answered - started, status, body }));
process.exit(0);
`;

interface ChildResult {
  importMs: number;
  firstMs: number;
  processMs: number;
  status: number;
  body: string | undefined;
}

async function answerOnce(file: string, env: Record<string, string>, event: unknown): Promise<ChildResult> {
  const started = performance.now();
  let answeredAt = Number.NaN;
  const report: Buffer[] = [];
  const errors: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, pathToFileURL(file).href], {
      env: { ...env, BENCH_EVENT: JSON.stringify(event) },
      stdio: ["ignore", process.env.BENCH_DEBUG ? "inherit" : "ignore", "pipe", "pipe"],
    });
    child.stderr?.on("data", (chunk: Buffer) => errors.push(chunk));
    // The report is written the moment the answer is there; in Lambda the process would live on, so its exit (which
    // here takes tens of ms more once sockets are open) is no part of what the caller waits for.
    (child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
      if (report.length === 0) answeredAt = performance.now();
      report.push(chunk);
    });
    child.once("error", reject);
    child.once("exit", resolve);
  });
  const processMs = answeredAt - started;
  if (code !== 0 || report.length === 0) throw new Error(`${file} failed (${code}): ${Buffer.concat(errors).toString().slice(0, 2000)}`);
  return { ...(JSON.parse(Buffer.concat(report).toString()) as Omit<ChildResult, "processMs">), processMs };
}

/** The parameter names serverless.yml gives each function (`*_PARAMETER` variables), by function. */
function parameterNamesByFunction(root: string, stage: string): Map<string, Record<string, string>> {
  const config = parse(readFileSync(join(root, "serverless.yml"), "utf8"), { merge: true }) as {
    functions: Record<string, { environment?: Record<string, string> }>;
  };
  const names = new Map<string, Record<string, string>>();
  for (const [name, definition] of Object.entries(config.functions)) {
    const named = Object.keys(definition.environment ?? {}).filter((key) => key.endsWith("_PARAMETER"));
    // The stage's default names (/hera/<stage>/<secret>), as serverless.yml makes them.
    names.set(
      name,
      Object.fromEntries(
        named.map((key) => [
          key,
          `/hera/${stage}/${key
            .replace(/_PARAMETER$/, "")
            .toLowerCase()
            .replace(/_/g, "-")}`,
        ]),
      ),
    );
  }
  return names;
}

/** A stand-in for Lambda's Invoke API (what requestImage calls): answers 202 and keeps each payload, the worker's next event. */
async function startFakeLambda(): Promise<{ url: string; payloads: unknown[]; close(): Promise<void> }> {
  const payloads: unknown[] = [];
  const server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      payloads.push(JSON.parse(raw || "null"));
      response.statusCode = 202;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    payloads,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

const http = (method: string, path: Record<string, string>, init: { token?: string; json?: unknown } = {}) => ({
  version: "2.0",
  headers: {
    ...(init.json === undefined ? {} : { "content-type": "application/json" }),
    ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
    origin: "http://localhost:5173",
  },
  body: init.json === undefined ? undefined : JSON.stringify(init.json),
  isBase64Encoded: false,
  pathParameters: Object.keys(path).length > 0 ? path : undefined,
  requestContext: { http: { method, sourceIp: "198.51.100.7" }, requestId: "bench" },
});

interface Step {
  name: string;
  event: string;
  expect: number;
  build(): unknown;
  /** What the answer hands to the next steps. */
  after?(result: ChildResult): Promise<void>;
}

/**
 * For each bundle, in `runs` rounds (after one unrecorded round), a fresh Node process imports it and answers its first
 * event, as a new Lambda instance would: its secrets from a fake of the Parameters and Secrets extension (or, for an older
 * revision, of SSM), its clients made, its first calls to the local Upstash REST endpoint, s3rver and dynalite. One round
 * walks one session through every function in the order a user meets them, so each answers a real request; the middy
 * hello world (the baseline) answers an empty event in the same way.
 */
export async function measureFirstRequests(
  root: string,
  bundles: Array<{ name: string; file: string }>,
  baseline: { name: string; file: string },
  photo: Buffer,
  runs: number,
): Promise<{ baseline: FirstRequest; functions: FirstRequestRatios[] }> {
  const stage = "bench";
  const token = "bench-upstash-token";
  const sessionToken = "bench-lambda-session-token";
  const bucket = "hera-api-photos-bench";
  const table = "hera-api-results-bench";
  const directory = mkdtempSync(join(tmpdir(), "hera-bench-s3-"));
  const upstash = await startUpstashRest({ port: 0, token });
  const dynamo = await startDynamo(0, table);
  const s3 = await startS3(0, bucket, directory);
  const lambda = await startFakeLambda();
  const parameters = await startFakeParametersExtension({
    token: sessionToken,
    parameters: {
      [`/hera/${stage}/upstash-redis-rest-url`]: upstash.url,
      [`/hera/${stage}/upstash-redis-rest-token`]: token,
      // The stage's switches, on (as a stage's template creates them).
      [`/hera/${stage}/images-enabled`]: "true",
      [`/hera/${stage}/gemini-chat-enabled`]: "true",
    },
  });
  const redis = new Redis({ url: upstash.url, token, automaticDeserialization: false });
  try {
    const base = coldLoadEnv();
    delete base.UPSTASH_REDIS_REST_URL;
    delete base.UPSTASH_REDIS_REST_TOKEN;
    const shared: Record<string, string> = {
      ...base,
      STAGE: stage,
      // s3rver knows only its own key pair.
      AWS_ACCESS_KEY_ID: "S3RVER",
      AWS_SECRET_ACCESS_KEY: "S3RVER",
      AWS_SESSION_TOKEN: sessionToken,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(parameters.port),
      AWS_ENDPOINT_URL_SSM: parameters.url,
      S3_ENDPOINT: s3.endpoint,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LAMBDA_ENDPOINT: lambda.url,
      PHOTO_BUCKET: bucket,
      RESULTS_TABLE: table,
      IMAGE_WORKER_FUNCTION: "hera-api-bench-imageWorker",
      SESSION_CREATE_LIMIT: "1000000",
      CHAT_TURNS_PER_CLIENT_PER_HOUR: "1000000",
      IMAGE_JOBS_PER_CLIENT_PER_HOUR: "1000000",
      CHAT_TURNS_PER_DAY: "1000000",
      IMAGE_JOBS_PER_DAY: "1000000",
      MESSAGE_LIMIT: "1000000",
      IMAGE_DAILY_LIMIT: "1000000",
    };
    const named = parameterNamesByFunction(root, stage);
    const envOf = (name: string) => ({ ...shared, AWS_LAMBDA_FUNCTION_NAME: `hera-api-${stage}-${name}`, ...named.get(name) });

    let session = { sessionId: "", sessionToken: "" };
    let photoKey = "";
    const ids = () => ({ sessionId: session.sessionId });
    const steps: Step[] = [
      {
        name: "createSession",
        event: "POST /api/sessions (rate limit, create)",
        expect: 201,
        build: () => http("POST", {}, { json: { locale: "en" } }),
        after: async (result) => {
          session = JSON.parse(result.body ?? "{}") as typeof session;
          // The interview's answers, written as the store writes them, so that the later steps meet a complete profile.
          await redis.hset(`hera:${stage}:session:{${session.sessionId}}`, { profile: JSON.stringify(INTERVIEWS.en.profile) });
        },
      },
      {
        name: "getSession",
        event: "GET /api/sessions/{id}",
        expect: 200,
        build: () => http("GET", ids(), { token: session.sessionToken }),
      },
      {
        name: "postMessage",
        event: "POST …/messages (limit + read, the turn's write)",
        expect: 200,
        build: () => http("POST", ids(), { token: session.sessionToken, json: { text: "Thank you!" } }),
      },
      {
        name: "requestPhotoUpload",
        event: "POST …/photos/user (presigned POST)",
        expect: 201,
        build: () => http("POST", ids(), { token: session.sessionToken, json: { contentType: "image/jpeg", contentLength: photo.length } }),
        after: async (result) => {
          const { upload } = JSON.parse(result.body ?? "{}") as { upload: { url: string; fields: Record<string, string> } };
          photoKey = upload.fields.key ?? "";
          const posted = await postForm(upload, photo, "image/jpeg");
          if (posted.status >= 300) throw new Error(`the photo upload failed: ${posted.status} ${posted.body.slice(0, 300)}`);
        },
      },
      {
        name: "photoUploaded",
        event: "S3 ObjectCreated (read, decode, mark ready)",
        expect: 0,
        build: () => ({
          Records: [{ eventName: "ObjectCreated:Post", s3: { bucket: { name: bucket }, object: { key: photoKey, size: photo.length } } }],
        }),
      },
      {
        name: "getPhoto",
        event: "GET …/photos/user (presigned GET)",
        expect: 200,
        build: () => http("GET", { ...ids(), name: "user" }, { token: session.sessionToken }),
      },
      {
        name: "requestImage",
        event: "POST …/images partner (limit, job, async invoke)",
        expect: 202,
        build: () => {
          lambda.payloads.length = 0;
          return http("POST", ids(), { token: session.sessionToken, json: { kind: "partner" } });
        },
      },
      {
        name: "imageWorker",
        event: "the partner job (claim, draw with sharp, store)",
        expect: 0,
        build: () => {
          if (lambda.payloads.length !== 1) throw new Error(`requestImage started ${lambda.payloads.length} jobs, not 1`);
          return lambda.payloads[0];
        },
      },
      {
        name: "completeSession",
        event: "POST …/complete (conditional put)",
        expect: 200,
        build: () => http("POST", ids(), { token: session.sessionToken }),
      },
      {
        name: "getResult",
        event: "GET …/result (DynamoDB)",
        expect: 200,
        build: () => http("GET", ids(), { token: session.sessionToken }),
      },
      { name: "health", event: "GET /api/health (Redis, S3, DynamoDB)", expect: 200, build: () => http("GET", {}) },
      { name: "openapi", event: "GET /api/openapi.json", expect: 200, build: () => http("GET", {}) },
      { name: "routeNotFound", event: "GET an unknown route ($default, 404)", expect: 404, build: () => http("GET", {}) },
      {
        name: "deleteSession",
        event: "DELETE /api/sessions/{id} (Redis, S3, DynamoDB)",
        expect: 204,
        build: () => http("DELETE", ids(), { token: session.sessionToken }),
      },
    ];
    const files = new Map(bundles.map((bundle) => [bundle.name, bundle.file]));
    const measured = steps.filter((step) => files.has(step.name));
    const missing = bundles.filter((bundle) => !steps.some((step) => step.name === bundle.name));
    if (missing.length > 0) throw new Error(`no first event for ${missing.map((bundle) => bundle.name).join(", ")}`);

    const samples = new Map<string, ChildResult[]>([
      ...measured.map((step) => [step.name, []] as [string, ChildResult[]]),
      [baseline.name, []],
    ]);
    for (let round = 0; round <= runs; round++) {
      for (const step of measured) {
        const result = await answerOnce(files.get(step.name)!, envOf(step.name), step.build());
        if (result.status !== step.expect)
          throw new Error(`${step.name} answered ${result.status}, not ${step.expect}: ${(result.body ?? "").slice(0, 500)}`);
        await step.after?.(result);
        if (round > 0) samples.get(step.name)!.push(result);
      }
      const hello = await answerOnce(baseline.file, envOf(baseline.name), http("GET", {}));
      if (round > 0) samples.get(baseline.name)!.push(hello);
    }

    const summary = (name: string, event: string, status: number): FirstRequest => {
      const list = samples.get(name)!;
      const first = list.map((sample) => sample.firstMs);
      return {
        name,
        runs,
        event,
        status,
        importMs: median(list.map((sample) => sample.importMs)),
        firstMs: median(first),
        firstP90Ms: quantile(first, 0.9),
        processMs: median(list.map((sample) => sample.processMs)),
      };
    };
    const hello = summary(baseline.name, "GET (an empty answer)", 200);
    return {
      baseline: hello,
      functions: measured.map((step) => {
        const figures = summary(step.name, step.event, step.expect);
        return {
          ...figures,
          importRatio: figures.importMs / hello.importMs,
          firstRatio: figures.firstMs / hello.firstMs,
          processRatio: figures.processMs / hello.processMs,
        };
      }),
    };
  } finally {
    await Promise.allSettled([upstash.close(), dynamo.close(), s3.close(), lambda.close(), parameters.close()]);
    rmSync(directory, { recursive: true, force: true });
  }
}
