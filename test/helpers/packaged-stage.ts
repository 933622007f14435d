import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { inject } from "vitest";
import { withProjectPackagingLock } from "../../dev/iam/packaged-roles.ts";

// `sls package` for a stage, offline (no AWS account), once per test run however many test files read it: the first
// file that asks packages it (under a lock, since the framework stages every package in the project's .serverless/
// before moving it, so two runs at once would collide) and the others wait for it and read the same directory.

/** Plain secrets in the deployer's shell, as a careless one might have them: none may reach a package or the template. */
export const PLANTED_SECRETS = {
  UPSTASH_REDIS_REST_URL: "https://planted-redis-url.example",
  UPSTASH_REDIS_REST_TOKEN: "planted-redis-token-5b8e1c",
  GEMINI_API_KEY: "planted-gemini-key-0d94aa",
};

/** A packaged stage: its directory of zips and its CloudFormation template (as parsed JSON and as text). */
export interface PackagedStage {
  directory: string;
  raw: string;
}

const LOCK_WAIT_MS = 400_000;

async function runPackage(stage: string, directory: string): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...PLANTED_SECRETS, SLS_TELEMETRY_DISABLED: "1", SLS_NOTIFICATIONS_MODE: "off" };
  // The parameter names come from serverless.yml's defaults, and the externals are built for Lambda, as in a deploy.
  for (const name of [
    "UPSTASH_REDIS_REST_URL_PARAMETER",
    "UPSTASH_REDIS_REST_TOKEN_PARAMETER",
    "GEMINI_API_KEY_PARAMETER",
    "IMAGES_ENABLED_PARAMETER",
    "GEMINI_CHAT_ENABLED_PARAMETER",
    "ESBUILD_INSTALL_TARGET",
  ]) {
    delete env[name];
  }
  // Its own build folder, so that a dev stack or another test run using .esbuild is left alone.
  const workFolder = `.esbuild-cfn-${stage}`;
  env.ESBUILD_WORK_FOLDER = workFolder;
  const sls = resolve("node_modules", ".bin", "sls");
  const output: string[] = [];
  try {
    const code = await new Promise<number | null>((done, fail) => {
      const child = spawn(sls, ["package", "--stage", stage, "--package", directory], { env, stdio: ["ignore", "pipe", "pipe"] });
      child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
      child.once("error", fail);
      child.once("exit", done);
    });
    if (code !== 0) throw new Error(`sls package --stage ${stage} failed (${code}):\n${output.join("")}`);
  } finally {
    rmSync(workFolder, { recursive: true, force: true });
  }
}

/** Runs `work` under the run's packaging lock, for any test file that runs `sls package` itself. */
export function withPackagingLock<T>(work: () => Promise<T>): Promise<T> {
  return withLock(inject("services").packagesDirectory, work);
}

/** Takes the run's packaging lock (a directory, made atomically), waiting for another test file that holds it. */
async function withLock<T>(root: string, work: () => Promise<T>): Promise<T> {
  const lock = join(root, ".lock");
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`waited ${LOCK_WAIT_MS} ms for another test file's sls package`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    // And no other package of this project at once (the local stack packages its roles too).
    return await withProjectPackagingLock(work);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** The stage as `sls package --stage <stage>` makes it, packaged at most once per test run. */
export async function packagedStage(stage: string): Promise<PackagedStage> {
  const root = inject("services").packagesDirectory;
  const directory = join(root, stage);
  const template = join(directory, "cloudformation-template-update-stack.json");
  const failure = join(root, `${stage}.failed`);
  await withLock(root, async () => {
    if (existsSync(failure)) throw new Error(readFileSync(failure, "utf8"));
    if (existsSync(template)) return;
    try {
      await runPackage(stage, directory);
    } catch (error) {
      writeFileSync(failure, error instanceof Error ? error.message : String(error));
      throw error;
    }
  });
  return { directory, raw: readFileSync(template, "utf8") };
}
