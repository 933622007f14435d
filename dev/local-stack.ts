import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { pipeWithoutRouteBox } from "./offline-output.ts";
import { s3PublicEndpoint, type StackPorts } from "./env.ts";
import { LOCAL_ACCOUNT_ID, localNames, packagedTemplate } from "./iam/packaged-roles.ts";
import { startIamProxy, type CheckedService } from "./iam/proxy.ts";
import { functionRoles, type FunctionRole } from "./iam/roles.ts";
import { startDynamo, startUpstashRest, type DynaliteHandle, type UpstashRestServer } from "./services.ts";
import { startWebServer } from "./web-server.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface LocalStackOptions {
  ports: StackPorts;
  stage?: string;
  /** Environment the functions run with (already merged from .env.example / .env / process.env). */
  env: Record<string, string>;
  /** Where serverless-offline's output goes: "inherit" prints it, a path appends it to a file. */
  output: "inherit" | string;
  /** Separate build and S3 folders let a test stack run beside a dev stack. */
  workFolder?: string;
  readyTimeoutMs?: number;
  /** Where the IAM proxy appends each call it decides (the least-privilege check reads it); none by default. */
  iamUsageFile?: string;
}

export interface LocalStack {
  baseUrl: string;
  lambdaUrl: string;
  s3Url: string;
  /** The browser demo (`web/`), calling `baseUrl`. */
  webUrl: string;
  env: Record<string, string>;
  upstash: UpstashRestServer;
  /** The results table in dynalite (`env.DYNAMODB_ENDPOINT`). */
  resultsTable: string;
  /** Where the stack's data lives: the S3 directory (the rest is in memory or in the Redis engine). */
  s3Directory: string;
  /** The functions' roles, as the checking proxy holds the calls against them. */
  roles: Promise<Map<string, FunctionRole>>;
  stop(): Promise<void>;
}

/** Starts the whole local stack: Upstash REST + Redis, dynalite, and serverless-offline with s3rver inside it. */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const stage = options.stage ?? "dev";
  const { ports } = options;
  const workFolder = options.workFolder ?? ".esbuild";
  // What browsers are given for S3: follows the S3 port unless S3_PUBLIC_ENDPOINT names another address (checked first).
  const s3PublicUrl = s3PublicEndpoint(options.env, ports.s3);
  const stopping: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const close of stopping.reverse()) await close().catch(() => undefined);
    stopping.length = 0;
  };

  try {
    const token = options.env.UPSTASH_REDIS_REST_TOKEN ?? "local-dev-token";
    const upstash = await startUpstashRest({ port: ports.upstash, token });
    stopping.push(() => upstash.close());

    // Each function calls S3, DynamoDB and Lambda with its own local key, through a proxy that holds every call
    // against the function's role in the packaged template (dev/iam/proxy.ts); the emulators listen behind it.
    const region = options.env.AWS_REGION || "ap-northeast-1";
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const roles = packagedTemplate(stage, log).then((template) => functionRoles(template, localNames(stage, region)));
    roles.catch(() => undefined); // a failure is reported by the first request that needs the roles
    const [s3Port = 0, dynamoPort = 0, lambdaPort = 0] = await freePorts(3);
    const proxy = (service: CheckedService, port: number, target: number) =>
      startIamProxy({
        service,
        port,
        target: `http://127.0.0.1:${target}`,
        roles,
        arn: { region, accountId: LOCAL_ACCOUNT_ID },
        usageFile: options.iamUsageFile,
        log,
      });
    for (const [service, port, target] of [
      ["s3", ports.s3, s3Port],
      ["dynamodb", ports.dynamodb, dynamoPort],
      ["lambda", ports.lambda, lambdaPort],
    ] as const) {
      const started = await proxy(service, port, target);
      stopping.push(() => started.close());
    }

    const table = `hera-api-results-${stage}`;
    const dynamo: DynaliteHandle = await startDynamo(dynamoPort, table);
    stopping.push(() => dynamo.close());

    const s3Url = `http://localhost:${ports.s3}`;
    const s3Directory = resolve(ROOT, ".local", `s3-${workFolder.replace(/[^\w-]/g, "")}`);
    rmSync(s3Directory, { recursive: true, force: true });
    mkdirSync(s3Directory, { recursive: true });

    const env: Record<string, string> = {
      ...options.env,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      UPSTASH_REDIS_REST_URL: upstash.url.replace("127.0.0.1", "localhost"),
      UPSTASH_REDIS_REST_TOKEN: token,
      // The local Redis is given by value: no SSM parameter names (lib/secrets.ts reads those in AWS only).
      UPSTASH_REDIS_REST_URL_PARAMETER: "",
      UPSTASH_REDIS_REST_TOKEN_PARAMETER: "",
      IMAGES_ENABLED_PARAMETER: "",
      GEMINI_CHAT_ENABLED_PARAMETER: "",
      DYNAMODB_ENDPOINT: `http://localhost:${ports.dynamodb}`,
      S3_ENDPOINT: s3Url,
      S3_PUBLIC_ENDPOINT: s3PublicUrl,
      // s3rver and serverless-offline's Lambda endpoint listen behind the proxies.
      S3_LOCAL_PORT: String(s3Port),
      S3_LOCAL_DIRECTORY: s3Directory,
      OFFLINE_HTTP_PORT: String(ports.http),
      OFFLINE_LAMBDA_PORT: String(lambdaPort),
      // The functions invoke the image worker through serverless-offline's Lambda endpoint.
      LAMBDA_ENDPOINT: `http://localhost:${ports.lambda}`,
      ESBUILD_WORK_FOLDER: workFolder,
      // sharp's native binary for this machine, not the linux-arm64 one a Lambda package gets.
      ESBUILD_INSTALL_TARGET: "host",
      // In AWS each function instance is a process with libuv's 4 threads of its own; serverless-offline runs every
      // instance as a worker thread of one process, sharing them. Under load, sharp's work in the photo and image
      // functions then holds back every other instance's DNS lookups and file reads (seconds, so Redis calls time out).
      UV_THREADPOOL_SIZE: options.env.UV_THREADPOOL_SIZE ?? "32",
    };
    const baseUrl = `http://localhost:${ports.http}`;
    // Built and listening before serverless-offline starts, so a broken page or a busy port fails fast.
    const web = await startWebServer({ port: ports.web, apiBaseUrl: baseUrl, s3PublicUrl });
    stopping.push(() => web.close());

    const offline = spawnOffline(stage, env, options.output);
    stopping.push(() => stopProcessGroup(offline));

    // The first start after a change of serverless.yml packages the stage (minutes on a busy machine) before the
    // functions can call anything: the readiness deadline counts from when the roles are known.
    await roles;
    await waitUntilReady(`${baseUrl}/api/health`, offline, options.readyTimeoutMs ?? 180_000);
    return {
      baseUrl,
      lambdaUrl: `http://localhost:${ports.lambda}`,
      s3Url,
      webUrl: web.url,
      env,
      upstash,
      resultsTable: table,
      s3Directory,
      roles,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Ports free on this machine now, for the emulators behind the proxies. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done, fail) => {
          const server = createServer();
          server.once("error", fail);
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((server) => {
    const address = server.address();
    return typeof address === "object" && address ? address.port : 0;
  });
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

function spawnOffline(stage: string, env: Record<string, string>, output: string): ChildProcess {
  const sls = resolve(ROOT, "node_modules", ".bin", "sls");
  // Its own process group, so stopping the stack can end serverless-offline and every worker it started. Its output
  // is piped (a width that never wraps its route box, which is then printed as plain lines: dev/offline-output.ts).
  const child = spawn(sls, ["offline", "start", "--stage", stage], {
    cwd: ROOT,
    env: { ...env, COLUMNS: "1000" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (output === "inherit") {
    if (child.stdout) pipeWithoutRouteBox(child.stdout, process.stdout);
    if (child.stderr) pipeWithoutRouteBox(child.stderr, process.stderr);
  } else {
    mkdirSync(dirname(output), { recursive: true });
    const log = createWriteStream(output, { flags: "a" });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }
  const killOnExit = () => {
    if (child.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  };
  process.once("exit", killOnExit);
  child.once("exit", () => process.off("exit", killOnExit));
  return child;
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is already gone
    }
  };
  signal("SIGINT");
  const timer = setTimeout(() => signal("SIGKILL"), 5000);
  await exited;
  clearTimeout(timer);
  signal("SIGKILL");
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`serverless-offline exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`The local stack was not ready at ${url} within ${timeoutMs} ms`);
}
