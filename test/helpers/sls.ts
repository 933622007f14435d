import { spawn } from "node:child_process";
import { resolve } from "node:path";

/** What one `sls` command did: its exit code and everything it printed. */
export interface SlsRun {
  code: number | null;
  output: string;
}

/** Runs the project's own `sls` (osls) with exactly the environment given (plus no telemetry), and waits for it. */
export async function runSls(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300_000): Promise<SlsRun> {
  const sls = resolve("node_modules", ".bin", "sls");
  const output: string[] = [];
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(sls, args, {
      env: { ...env, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
    child.once("error", fail);
    child.once("exit", (exitCode) => {
      clearTimeout(timer);
      done(exitCode);
    });
  });
  return { code, output: output.join("") };
}

// Every variable this project's configuration, local stack or tests read, and the AWS SDK's own settings.
const PROJECT_VARIABLE =
  /^(UPSTASH_|GEMINI_|S3_|DYNAMODB_|OFFLINE_|ESBUILD_|LAMBDA_ENDPOINT$|PHOTO_|RESULTS_TABLE$|SESSION_|MESSAGE_LIMIT$|IMAGE_|CHAT_|MAX_USER|REDIS_|POWERTOOLS_|LOG_LEVEL$|ALLOWED_ORIGINS$|STAGE$|SERVICE_NAME$|WEB_PORT$|E2E_|DEPENDENCY_TIMEOUT|DOWNLOAD_URL|UV_THREADPOOL|SLS_|AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|REGION|DEFAULT_REGION|PROFILE|ENDPOINT_URL\w*)$)/;

/**
 * The shell of a deployer with nothing of the project's exported: this process's environment (the machine's own
 * settings, such as CA bundles, proxies and npm's) without any variable the project knows of, so that a test
 * states exactly what it adds.
 */
export function cleanShell(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !PROJECT_VARIABLE.test(name)));
}
