import { existsSync, readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { localNames, packagedTemplate } from "../../dev/iam/packaged-roles.ts";
import { functionRoles } from "../../dev/iam/roles.ts";
import { callsWithoutGrant, readUsage, unusedGrants } from "../../dev/iam/usage.ts";
import { IAM_USAGE_FILE } from "../setup/e2e-stack.ts";
import { E2E_RUN_FILE } from "../setup/sequencer.ts";

// Least privilege, proven by the run itself: the e2e stack's IAM proxy recorded every AWS call each function made
// (test-artifacts/iam-usage.jsonl), and the sequencer runs this file after every other e2e file. A call its role did
// not allow fails here, naming the function and the call, whatever subset of the tests ran; a grant that no call
// used fails here only after a whole run (a subset cannot tell an unused grant from an untested one).

const STAGE = "dev";
const config = parse(readFileSync("serverless.yml", "utf8")) as { service: string; functions: Record<string, unknown> };
const prefix = `${config.service}-${STAGE}-`;
const shortName = (functionName: string) => (functionName.startsWith(prefix) ? functionName.slice(prefix.length) : functionName);

const run = existsSync(E2E_RUN_FILE)
  ? (JSON.parse(readFileSync(E2E_RUN_FILE, "utf8")) as { files: string[]; filtered: boolean })
  : undefined;
const everyE2eFile = readdirSync("test/e2e")
  .filter((name) => name.endsWith(".test.ts"))
  .map((name) => `test/e2e/${name}`);
const wholeRun = run !== undefined && !run.filtered && everyE2eFile.every((file) => run.files.includes(file));

describe("least privilege, from the calls of this test run", () => {
  const usage = readUsage(IAM_USAGE_FILE);

  it("makes no AWS call that the calling function's own role does not allow", () => {
    expect(callsWithoutGrant(usage, shortName)).toEqual([]);
  });

  it.skipIf(!wholeRun)("uses every grant of every function's role (after a whole run)", async () => {
    const template = await packagedTemplate(STAGE);
    const roles = [...functionRoles(template, localNames(STAGE, process.env.AWS_REGION || "ap-northeast-1")).values()].filter(
      (role) => shortName(role.functionName) in config.functions,
    );
    expect(roles.map((role) => shortName(role.functionName)).sort()).toEqual(Object.keys(config.functions).sort());
    expect(unusedGrants(roles, usage, shortName)).toEqual([]);
  });
});
