import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Context } from "aws-lambda";
import { parse } from "yaml";
import { startDynamo, startS3, startUpstashRest } from "./services.ts";

// `npm run invoke -- <function> [event]` (scripts/invoke.ts): runs one function's real bundle through `sls invoke
// local` against throwaway local services, with the sample event's placeholders filled by state made for it.

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const STAGE = "dev";
const SERVICE = "hera-api";
const WORK = resolve(ROOT, ".local", "invoke");

/** The functions of serverless.yml and the source file of each handler (`functions/get-session`). */
export function functionSources(root = ROOT): Record<string, string> {
  const config = parse(readFileSync(resolve(root, "serverless.yml"), "utf8"), { merge: true }) as {
    functions: Record<string, { handler: string }>;
  };
  return Object.fromEntries(
    Object.entries(config.functions).map(([name, { handler }]) => [name, handler.slice(0, handler.lastIndexOf("."))]),
  );
}

/** The sample event of a function: `events/<handler file>.json`, as docs/development.md names them. */
export function defaultEventFile(source: string, root = ROOT): string {
  return resolve(root, "events", `${basename(source)}.json`);
}

/** The names of the `REPLACE_WITH_<NAME>` placeholders in an event, e.g. `SESSION_ID`. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(/REPLACE_WITH_([A-Z0-9_]+)/g)].map((match) => match[1]!))];
}

/** The event with every placeholder replaced; one without a value is an error naming it. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  const missing = placeholdersIn(text).filter((name) => values[name] === undefined);
  if (missing.length > 0) throw new Error(`No value for ${missing.map((name) => `REPLACE_WITH_${name}`).join(", ")}`);
  return text.replace(/REPLACE_WITH_([A-Z0-9_]+)/g, (_, name: string) => values[name]!);
}

export interface InvokeServices {
  /** The environment `sls invoke local` and the preparing handlers run with. */
  env: Record<string, string>;
  /** Image jobs queued through the stand-in Lambda endpoint (the worker is not run by it). */
  queuedJobs: unknown[];
  close(): Promise<void>;
}

/**
 * Starts what the functions reach, on free ports so that it runs beside `npm run dev` and the tests: Redis behind the
 * Upstash REST endpoint, dynalite with the results table, s3rver with the photo bucket, and a stand-in for Lambda's
 * Invoke API that queues the image worker's events (answering 202, as Lambda does) without running them.
 */
export async function startInvokeServices(base: Record<string, string>): Promise<InvokeServices> {
  const closing: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const step of closing.reverse()) await step().catch(() => undefined);
    closing.length = 0;
  };
  try {
    const token = base.UPSTASH_REDIS_REST_TOKEN || "local-dev-token";
    const upstash = await startUpstashRest({ port: 0, token });
    closing.push(() => upstash.close());
    const dynamo = await startDynamo(0, `${SERVICE}-results-${STAGE}`);
    closing.push(() => dynamo.close());
    const bucket = `${SERVICE}-photos-${STAGE}`;
    mkdirSync(WORK, { recursive: true });
    const directory = mkdtempSync(resolve(WORK, "s3-"));
    closing.push(async () => rmSync(directory, { recursive: true, force: true }));
    const s3 = await startS3(0, bucket, directory);
    closing.push(() => s3.close());
    const queuedJobs: unknown[] = [];
    const lambda = await startLambdaStandIn(queuedJobs);
    closing.push(() => new Promise<void>((done) => lambda.server.close(() => done())));

    const env: Record<string, string> = {
      ...base,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      UPSTASH_REDIS_REST_URL: upstash.url,
      UPSTASH_REDIS_REST_TOKEN: token,
      UPSTASH_REDIS_REST_URL_PARAMETER: "",
      UPSTASH_REDIS_REST_TOKEN_PARAMETER: "",
      GEMINI_API_KEY_PARAMETER: "",
      S3_ENDPOINT: s3.endpoint,
      S3_PUBLIC_ENDPOINT: s3.endpoint,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      LAMBDA_ENDPOINT: lambda.url,
      PHOTO_BUCKET_NAME: bucket,
      // What serverless.yml gives every function of the stage; the preparing handlers run in this process and need it too.
      STAGE,
      SERVICE_NAME: SERVICE,
      PHOTO_BUCKET: bucket,
      RESULTS_TABLE: `${SERVICE}-results-${STAGE}`,
      IMAGE_WORKER_FUNCTION: `${SERVICE}-${STAGE}-imageWorker`,
      // Built apart from the dev stack's and the package's bundles, with sharp for this machine.
      ESBUILD_WORK_FOLDER: ".esbuild-invoke",
      ESBUILD_INSTALL_TARGET: "host",
    };
    return { env, queuedJobs, close };
  } catch (error) {
    await close();
    throw error;
  }
}

async function startLambdaStandIn(queued: unknown[]): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const invocation = /^\/2015-03-31\/functions\/[^/]+\/invocations$/.test(request.url ?? "");
      if (request.method !== "POST" || !invocation) {
        response.writeHead(404).end();
        return;
      }
      try {
        queued.push(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        queued.push(null);
      }
      response.writeHead(202, { "Content-Type": "application/json" }).end();
    });
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => done());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}` };
}

/** A Lambda context good enough for the handlers' middy chains. */
function localContext(name: string): Context {
  return {
    awsRequestId: `invoke-prepare-${name}`,
    functionName: `${SERVICE}-${STAGE}-${name}`,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:ap-northeast-1:000000000000:function:${SERVICE}-${STAGE}-${name}`,
    memoryLimitInMB: "512",
    logGroupName: `/aws/lambda/${SERVICE}-${STAGE}-${name}`,
    logStreamName: "invoke",
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

type Handler = (event: unknown, context: Context) => Promise<unknown>;
interface HttpResult {
  statusCode: number;
  body?: string;
}

/** What the target function needs before it can run on its sample event. */
export interface Needs {
  session: boolean;
  interview: boolean;
  photo: "none" | "uploaded" | "ready";
  job: boolean;
  completed: boolean;
}

/** What each function's sample event assumes has already happened in the session it names. */
export function needsOf(functionName: string, placeholders: string[]): Needs {
  const needs: Needs = {
    session: placeholders.includes("SESSION_ID"),
    interview: false,
    photo: "none",
    job: placeholders.includes("JOB_ID"),
    completed: false,
  };
  if (placeholders.includes("UPLOAD_ID")) needs.photo = "uploaded";
  if (functionName === "getPhoto") needs.photo = "ready";
  if (["requestImage", "imageWorker", "completeSession", "getResult"].includes(functionName)) needs.interview = true;
  // The local image provider draws the partner from the user's photo when there is one.
  if (functionName === "requestImage" || functionName === "imageWorker") needs.photo = "ready";
  if (functionName === "getResult") needs.completed = true;
  return needs;
}

/**
 * Makes the state the target's event names, by running the other functions' handlers in this process on their own
 * sample events (as a front end would: open a session, answer the interview, upload a photo, ask for a picture), and
 * returns the placeholders' values. The environment must already be in `process.env`.
 */
export async function prepareState(
  needs: Needs,
  locale: "ja" | "en",
  queuedJobs: unknown[],
  log: (line: string) => void,
): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  if (!needs.session) return values;
  const sources = functionSources();
  const handlerOf = async (name: string): Promise<Handler> => {
    const module = (await import(resolve(ROOT, `${sources[name]}.ts`))) as { handler: Handler };
    return module.handler;
  };
  const http = async (name: string, body?: unknown): Promise<Record<string, unknown>> => {
    const template = readFileSync(defaultEventFile(sources[name]!), "utf8");
    const event = JSON.parse(fillPlaceholders(template, values)) as Record<string, unknown>;
    if (body !== undefined) event.body = JSON.stringify(body);
    const result = (await (await handlerOf(name))(event, localContext(name))) as HttpResult;
    if (result.statusCode >= 300) throw new Error(`Preparing: ${name} answered ${result.statusCode} ${result.body ?? ""}`);
    return result.body ? (JSON.parse(result.body) as Record<string, unknown>) : {};
  };

  const created = await http("createSession", { locale });
  values.SESSION_ID = String(created.sessionId);
  values.SESSION_TOKEN = String(created.sessionToken);
  log(`session ${values.SESSION_ID} (${locale})`);

  if (needs.interview) {
    const { INTERVIEWS } = await import("../test/fixtures/interviews.ts");
    for (const text of INTERVIEWS[locale].answers) await http("postMessage", { text });
    log(`interview answered (${INTERVIEWS[locale].answers.length} messages)`);
  }

  if (needs.photo !== "none") {
    const { default: sharp } = await import("sharp");
    const bytes = await sharp({ create: { width: 96, height: 96, channels: 3, background: { r: 214, g: 170, b: 140 } } })
      .jpeg()
      .toBuffer();
    const grant = (await http("requestPhotoUpload", { contentType: "image/jpeg", contentLength: bytes.length })) as {
      upload: { url: string; fields: Record<string, string> };
    };
    const form = new FormData();
    for (const [name, value] of Object.entries(grant.upload.fields)) form.append(name, value);
    form.append("file", new Blob([new Uint8Array(bytes)], { type: "image/jpeg" }), "photo.jpg");
    const posted = await fetch(grant.upload.url, { method: "POST", body: form, signal: AbortSignal.timeout(10_000) });
    if (!posted.ok) throw new Error(`Preparing: the photo upload to S3 answered ${posted.status}`);
    const key = grant.upload.fields.key ?? "";
    values.UPLOAD_ID = /^sessions\/[^/]+\/uploads\/([^/]+)\/user-photo$/.exec(key)?.[1] ?? "";
    log(`photo uploaded (upload ${values.UPLOAD_ID})`);
    if (needs.photo === "ready") {
      const template = readFileSync(defaultEventFile(sources.photoUploaded!), "utf8");
      await (await handlerOf("photoUploaded"))(JSON.parse(fillPlaceholders(template, values)), localContext("photoUploaded"));
      log("photo checked");
    }
  }

  if (needs.job) {
    const answer = (await http("requestImage", { kind: "partner" })) as { image: { jobId: string } };
    values.JOB_ID = answer.image.jobId;
    queuedJobs.length = 0;
    log(`partner picture requested (job ${values.JOB_ID})`);
  }

  if (needs.completed) {
    await http("completeSession");
    log("session completed");
  }
  return values;
}

/** Writes the filled event where `sls invoke local -p` reads it. */
export function writeFilledEvent(functionName: string, text: string): string {
  mkdirSync(WORK, { recursive: true });
  const file = resolve(WORK, `${functionName}.json`);
  writeFileSync(file, text);
  return file;
}

export interface InvocationOutcome {
  exitCode: number | null;
  output: string;
  timedOut: boolean;
}

/** Runs `sls invoke local -f <name> -p <event>` (the real esbuild bundle), echoing its output, ended after `timeoutMs`. */
export function runInvokeLocal(
  functionName: string,
  eventFile: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<InvocationOutcome> {
  const sls = resolve(ROOT, "node_modules", ".bin", "sls");
  const child = spawn(sls, ["invoke", "local", "--stage", STAGE, "-f", functionName, "-p", eventFile], {
    cwd: ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  const chunks: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    process.stdout.write(chunk);
  });
  child.stderr.on("data", (chunk: Buffer) => process.stderr.write(chunk));
  return new Promise((done, fail) => {
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, timeoutMs);
    child.once("error", fail);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ exitCode: code, output: Buffer.concat(chunks).toString("utf8"), timedOut });
    });
  });
}

/**
 * The value the function returned, as `sls invoke local` prints it: the last block of lines from a lone `{` to a lone
 * `}` (the function's own log lines are one JSON object per line). Undefined when it printed none (a void handler).
 */
export function invocationResult(output: string): unknown {
  const lines = output.split(/\r?\n/);
  const end = lines.lastIndexOf("}");
  if (end < 0) return undefined;
  const start = lines.lastIndexOf("{", end);
  if (start < 0) return undefined;
  try {
    return JSON.parse(lines.slice(start, end + 1).join("\n"));
  } catch {
    return undefined;
  }
}

/** What an event function leaves in the session: its statuses only (no key, URL or profile value). */
export interface SessionOutcome {
  status: string;
  photo: string | null;
  images: { partner: string | null; child: string | null };
}

/**
 * The session's statuses as stored, read straight from the session store: a read through getSession would confirm
 * a pending photo itself once it is 10 s old, and so could hide a photoUploaded that did nothing.
 */
export async function sessionOutcome(sessionId: string): Promise<SessionOutcome | null> {
  const { sessionStore } = await import("../lib/wiring/sessions.ts");
  const session = await sessionStore().load(sessionId);
  if (!session) return null;
  const image = (state: { status: string; error?: string } | null) =>
    state ? (state.error ? `${state.status} (${state.error})` : state.status) : null;
  return {
    status: session.status,
    photo: session.photo ? (session.photo.reason ? `${session.photo.status} (${session.photo.reason})` : session.photo.status) : null,
    images: { partner: image(session.images.partner), child: image(session.images.child) },
  };
}
