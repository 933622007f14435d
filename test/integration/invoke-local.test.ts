import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

// Each run must end by itself well within this; past it the process group is killed and the test fails.
const BOUND_MS = 120_000;

/** Runs a command from the repository root in its own process group, killing the group if it outlives BOUND_MS. */
function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = Date.now();
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // already gone
      }
    }, BOUND_MS);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

describe("npm run invoke (a function's real bundle through sls invoke local)", () => {
  it("runs getSession on its sample event for a session it made, prints a 200 and exits", { timeout: BOUND_MS + 10_000 }, async () => {
    // Act
    const result = await run("npm", ["run", "-s", "invoke", "--", "getSession"]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.stderr).toMatch(/\[invoke\] getSession → statusCode 200/);
    const sessionId = /\[invoke\] session ([\w-]{22})/.exec(result.stderr)?.[1];
    expect(sessionId).toBeDefined();
    // The printed answer is the function's own, for the session the placeholders were filled with.
    expect(result.stdout).toContain(`\\"sessionId\\":\\"${sessionId}\\"`);
    expect(result.stdout).toContain('"statusCode": 200');
  });

  it("runs photoUploaded on an uploaded photo, which it marks ready, and exits", { timeout: BOUND_MS + 10_000 }, async () => {
    // Act
    const result = await run("npm", ["run", "-s", "invoke", "--", "photoUploaded"]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.stderr).toMatch(/\[invoke\] photo uploaded \(upload [\w-]+\)/);
    // Read from the store after the function ran: only photoUploaded itself can have settled the photo.
    expect(result.stderr).toMatch(/\[invoke\] photoUploaded → session \{"status":"collecting","photo":"ready"/);
    expect(result.stdout).toMatch(/"message":"photo checked".*"status":"ready"/);
  });

  it("sls invoke local ends with an error, instead of hanging, when the bundle fails to load", { timeout: BOUND_MS + 10_000 }, async () => {
    // Prepare: a configuration the function refuses at start-up (it reads and validates it at module load).
    const env = {
      ESBUILD_INSTALL_TARGET: "host",
      ESBUILD_WORK_FOLDER: ".esbuild-invoke",
      SLS_TELEMETRY_DISABLED: "1",
      REDIS_TIMEOUT_MS: "not-a-number",
    };

    // Act
    const result = await run("node_modules/.bin/sls", ["invoke", "local", "-f", "health", "-p", "events/health.json"], env);

    // Assess
    expect(result.ms).toBeLessThan(BOUND_MS);
    expect(result.code).toBe(1);
    expect(`${result.stdout}${result.stderr}`).toMatch(/Exception encountered when loading .*functions\/health\.mjs/);
  });
});
