// @ts-check
// A local serverless plugin: `sls deploy` first checks that the stage's SSM parameters exist, by name, and stops
// with the missing names before anything is built or sent to CloudFormation; a missing secret fails the deploy
// rather than every request. `sls check-secrets --stage <stage>` runs the same check alone.
//
// It asks DescribeParameters, which answers with metadata only: no value, encrypted or not, ever leaves SSM.
import { DescribeParametersCommand, SSMClient } from "@aws-sdk/client-ssm";

/** DescribeParameters takes at most 50 values in one Name filter. */
const NAMES_PER_CALL = 50;

/** The commands that check: a deploy of the stack or of one function, and the check itself. */
const CHECKING_COMMANDS = ["deploy", "deploy function"];

/**
 * The parameter names that do not exist in SSM, in the order given; every name is asked for, in calls of 50.
 * @param {Pick<SSMClient, "send">} ssm
 * @param {readonly string[]} names
 * @returns {Promise<string[]>}
 */
export async function missingParameters(ssm, names) {
  const wanted = [...new Set(names)];
  const found = new Set();
  for (let start = 0; start < wanted.length; start += NAMES_PER_CALL) {
    const batch = wanted.slice(start, start + NAMES_PER_CALL);
    /** @type {string | undefined} */
    let nextToken;
    do {
      const page = await ssm.send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: "Name", Option: "Equals", Values: batch }],
          MaxResults: 50,
          NextToken: nextToken,
        }),
      );
      for (const parameter of page.Parameters ?? []) if (parameter.Name) found.add(parameter.Name);
      nextToken = page.NextToken;
    } while (nextToken);
  }
  return wanted.filter((name) => !found.has(name));
}

/**
 * The names a stage requires: `custom.requiredSecretParameters`, without the empty entries (a secret the stage's
 * settings do not need).
 * @param {unknown} listed
 * @returns {string[]}
 */
export function requiredNames(listed) {
  if (!Array.isArray(listed)) return [];
  return [...new Set(listed.filter((name) => typeof name === "string" && name.trim() !== "").map((name) => name.trim()))];
}

/**
 * @typedef {{
 *   service: { custom?: { requiredSecretParameters?: unknown } },
 *   processedInput: { commands: string[] },
 *   classes: { Error: new (message: string) => Error },
 *   getProvider: (name: "aws") => {
 *     getStage: () => string,
 *     getRegion: () => string,
 *     getAwsSdkV3Config: () => Promise<Record<string, unknown>>,
 *   },
 * }} Serverless
 */

/** The plugin serverless.yml loads (`./deploy/check-secrets.mjs`). */
export default class CheckSecretsPlugin {
  /**
   * @param {Serverless} serverless
   * @param {unknown} _options
   * @param {{ log: { notice: (message: string) => void, success: (message: string) => void } }} utils
   */
  constructor(serverless, _options, utils) {
    this.commands = {
      "check-secrets": {
        usage: "Checks that the stage's SSM parameters exist (names only), as a deploy does first",
        lifecycleEvents: ["check"],
      },
    };
    const check = async () => {
      const provider = serverless.getProvider("aws");
      const names = requiredNames(serverless.service.custom?.requiredSecretParameters);
      if (names.length === 0) return;
      const ssm = new SSMClient(await provider.getAwsSdkV3Config());
      let missing;
      try {
        missing = await missingParameters(ssm, names);
      } finally {
        ssm.destroy();
      }
      const where = `stage ${provider.getStage()} (${provider.getRegion()})`;
      if (missing.length > 0) {
        throw new serverless.classes.Error(
          [
            `Missing SSM parameters of ${where}: ${missing.join(", ")}.`,
            "Create them as SecureStrings (docs/operations.md: Deploying a stage) and deploy again.",
          ].join(" "),
        );
      }
      utils.log.success(`The ${names.length} SSM parameters of ${where} exist`);
    };
    /** @type {Record<string, () => Promise<void>>} */
    this.hooks = { "check-secrets:check": check };
    if (CHECKING_COMMANDS.includes(serverless.processedInput.commands.join(" "))) this.hooks.initialize = check;
  }
}
