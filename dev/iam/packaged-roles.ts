// The packaged template the local roles are read from: `sls package --stage <stage>` exactly as a deploy runs it
// (serverless-iam-roles-per-function included), kept under .local/ by a hash of everything that shapes the template,
// so the stack packages again only when serverless.yml, deploy/ or the installed plugins change.

import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import type { LocalNames, PackagedTemplate } from "./roles.ts";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const LOCK = join(ROOT, ".local", "sls-package.lock");
// A lock older than the longest package is left from a run that died.
const STALE_LOCK_MS = 10 * 60_000;

/** Runs `work` while no other `sls package` of this project runs (the framework stages every package in .serverless/). */
export async function withProjectPackagingLock<T>(work: () => Promise<T>, waitMs = 600_000): Promise<T> {
  mkdirSync(dirname(LOCK), { recursive: true });
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      try {
        if (Date.now() - statSync(LOCK).mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new Error(`waited ${waitMs} ms for another sls package of this project (${LOCK})`);
      await new Promise((done) => setTimeout(done, 500));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

function templateHash(stage: string): string {
  const hash = createHash("sha256").update(stage);
  const files = ["serverless.yml", "package-lock.json", ...readdirSync(join(ROOT, "deploy")).map((name) => join("deploy", name))];
  for (const file of files.sort()) hash.update(file).update(readFileSync(join(ROOT, file)));
  return hash.digest("hex").slice(0, 16);
}

/** Packages the stage (once per change of what shapes its template) and returns the template. */
export async function packagedTemplate(stage: string, log: (line: string) => void = () => undefined): Promise<PackagedTemplate> {
  const cache = join(ROOT, ".local", "iam", `${stage}-${templateHash(stage)}.json`);
  if (existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8")) as PackagedTemplate;
  return withProjectPackagingLock(async () => {
    if (existsSync(cache)) return JSON.parse(readFileSync(cache, "utf8")) as PackagedTemplate;
    log(`IAM (local stack): packaging stage ${stage} to read its functions' roles (once per change of serverless.yml)...`);
    const directory = join(ROOT, ".local", "iam", `package-${stage}`);
    const workFolder = `.esbuild-iam-${stage}`;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      SLS_TELEMETRY_DISABLED: "1",
      SLS_NOTIFICATIONS_MODE: "off",
      ESBUILD_WORK_FOLDER: workFolder,
    };
    // The template as a deploy makes it: the parameter names from serverless.yml, the externals built for Lambda.
    for (const name of [
      "UPSTASH_REDIS_REST_URL_PARAMETER",
      "UPSTASH_REDIS_REST_TOKEN_PARAMETER",
      "GEMINI_API_KEY_PARAMETER",
      "ESBUILD_INSTALL_TARGET",
    ]) {
      delete env[name];
    }
    rmSync(directory, { recursive: true, force: true }); // left by a run that was killed
    const output: string[] = [];
    try {
      const code = await new Promise<number | null>((done, fail) => {
        const child = spawn(join(ROOT, "node_modules", ".bin", "sls"), ["package", "--stage", stage, "--package", directory], {
          cwd: ROOT,
          env,
          stdio: ["ignore", "pipe", "pipe"],
        });
        child.stdout.on("data", (chunk: Buffer) => output.push(chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => output.push(chunk.toString()));
        child.once("error", fail);
        child.once("exit", done);
      });
      if (code !== 0) throw new Error(`sls package --stage ${stage} failed (${code}):\n${output.join("")}`);
      const template = readFileSync(join(directory, "cloudformation-template-update-stack.json"), "utf8");
      mkdirSync(dirname(cache), { recursive: true });
      writeFileSync(cache, template);
      return JSON.parse(template) as PackagedTemplate;
    } finally {
      rmSync(join(ROOT, workFolder), { recursive: true, force: true });
      rmSync(directory, { recursive: true, force: true });
    }
  });
}

/** The local stack's names for the template's resources: its region and account, and serverless.yml's local bucket names. */
export function localNames(stage: string, region: string): LocalNames {
  const config = parse(readFileSync(join(ROOT, "serverless.yml"), "utf8")) as {
    custom?: { localStack?: { bucketNames?: Record<string, string> } };
  };
  const names = Object.fromEntries(
    Object.entries(config.custom?.localStack?.bucketNames ?? {}).map(([logicalId, name]) => [
      logicalId,
      name.replaceAll(STAGE_VARIABLE, stage),
    ]),
  );
  return { region, accountId: LOCAL_ACCOUNT_ID, names };
}

// serverless.yml's own variable for the stage, in the local names it gives.
const STAGE_VARIABLE = ["${", "sls:stage}"].join("");

/** The account the local stack's ARNs name. */
export const LOCAL_ACCOUNT_ID = "000000000000";
