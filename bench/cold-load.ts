import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { median, quantile } from "./stats.ts";

/** Cold-load figures of one bundle: medians over fresh Node processes. */
export interface ColdLoad {
  name: string;
  runs: number;
  /** Median time to import the bundle (parse + evaluate its module graph, i.e. Lambda's Init phase for our code). */
  importMs: number;
  importP90Ms: number;
  /** Median wall time of the whole process, from spawn to exit (Node's own start-up included). */
  processMs: number;
}

// What the child runs: time `import()` of the bundle (its top level: config parse, middy chain), then exit at once.
const CHILD = `
const started = performance.now();
await import(process.argv[1]);
const importMs = performance.now() - started;
process.stdout.write(JSON.stringify({ importMs }));
process.exit(0);
`;

/** An environment with which every function's configuration parses, and nothing is reached over the network at import. */
export function coldLoadEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    STAGE: "bench",
    SERVICE_NAME: "hera-api",
    AWS_REGION: "ap-northeast-1",
    AWS_ACCESS_KEY_ID: "BENCH",
    AWS_SECRET_ACCESS_KEY: "BENCH",
    AWS_LAMBDA_FUNCTION_NAME: "hera-api-bench-coldload",
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
    PHOTO_BUCKET: "hera-api-photos-bench",
    RESULTS_TABLE: "hera-api-results-bench",
    UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9",
    UPSTASH_REDIS_REST_TOKEN: "bench-token",
    POWERTOOLS_METRICS_NAMESPACE: "Hera",
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
}

async function importOnce(file: string, env: Record<string, string>): Promise<{ importMs: number; processMs: number }> {
  const started = performance.now();
  const output: Buffer[] = [];
  const errors: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, pathToFileURL(file).href], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => errors.push(chunk));
    child.once("error", reject);
    child.once("exit", resolve);
  });
  const processMs = performance.now() - started;
  if (code !== 0) throw new Error(`importing ${file} failed (${code}): ${Buffer.concat(errors).toString().slice(0, 2000)}`);
  const { importMs } = JSON.parse(Buffer.concat(output).toString()) as { importMs: number };
  return { importMs, processMs };
}

/**
 * Imports each bundle in `runs` fresh Node processes, one at a time, the bundles interleaved round by round so that
 * background noise spreads over all of them alike.
 */
export async function measureColdLoads(bundles: Array<{ name: string; file: string }>, runs: number): Promise<ColdLoad[]> {
  const env = coldLoadEnv();
  const samples = new Map(bundles.map((bundle) => [bundle.name, { importMs: [] as number[], processMs: [] as number[] }]));
  // One unrecorded round first: the OS file cache and Node's own binary are warm for every measured run alike.
  for (const bundle of bundles) await importOnce(bundle.file, env);
  for (let round = 0; round < runs; round++) {
    for (const bundle of bundles) {
      const sample = await importOnce(bundle.file, env);
      samples.get(bundle.name)!.importMs.push(sample.importMs);
      samples.get(bundle.name)!.processMs.push(sample.processMs);
    }
  }
  return bundles.map(({ name }) => {
    const { importMs, processMs } = samples.get(name)!;
    return { name, runs, importMs: median(importMs), importP90Ms: quantile(importMs, 0.9), processMs: median(processMs) };
  });
}
