import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REDOCLY = resolve("node_modules", ".bin", "redocly");

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; message: string; location: Array<{ pointer?: string }> }>;
}

/** Runs `redocly lint` with the repository's redocly.yaml (recommended rules, two off with reasons) on a document. */
async function lint(file: string): Promise<LintReport> {
  const { stdout } = await run(REDOCLY, ["lint", file, "--config", resolve("redocly.yaml"), "--format=json"], {
    env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", NO_COLOR: "1" },
    timeout: 60_000,
  }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }));
  return JSON.parse(stdout) as LintReport;
}

const scratch = mkdtempSync(join(tmpdir(), "hera-lint-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("redocly lint", () => {
  it("passes openapi.json with no error and no warning", async () => {
    const report = await lint(resolve("openapi.json"));
    expect(report.problems.map(({ ruleId, message }) => `${ruleId}: ${message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it("reports what the recommended rules forbid, so the check above can fail", async () => {
    const document = JSON.parse(readFileSync("openapi.json", "utf8")) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    delete document.paths["/api/health"]!.get!.operationId;
    const broken = join(scratch, "openapi.json");
    writeFileSync(broken, JSON.stringify(document));
    const report = await lint(broken);
    expect(report.problems.map(({ ruleId }) => ruleId)).toContain("operation-operationId");
  }, 60_000);
});
