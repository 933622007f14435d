// @ts-check
// A local serverless plugin: what the local stack (serverless-offline, `sls invoke local`) changes in the
// configuration, and what a package or a deploy refuses, so that the deployer's shell never reaches AWS.
//
// serverless.yml reads no variable of the shell for what reaches a function: a stage's settings are its params.
// On the local stack, serverless-offline passes the local environment to every function (`localEnvironment`) under
// the template's own variables; for the variables listed in `custom.localStack.environment` this plugin lets the
// local value win, and it gives the buckets the plain names the emulators need (`custom.localStack.bucketNames`).

import { createRequire } from "node:module";
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from "../dev/iam/identities.mjs";

/** The commands that run the functions on this machine. */
const LOCAL_COMMANDS = ["offline", "offline start", "invoke local"];
/** The commands that build what AWS runs. */
const PACKAGING_COMMANDS = ["package", "deploy", "deploy function"];

/**
 * Build settings the local stack uses that must never reach a package, and the value a package needs.
 * ESBUILD_INSTALL_TARGET=host would put this machine's sharp binary, not Lambda's, in every zip.
 */
const LOCAL_BUILD_SETTINGS = { ESBUILD_INSTALL_TARGET: "lambda" };

/**
 * @typedef {{
 *   provider: { environment?: Record<string, unknown>, httpApi?: { cors?: unknown } },
 *   functions: Record<string, { environment?: Record<string, unknown>, events?: Array<Record<string, any>> }>,
 *   resources?: { Resources?: Record<string, { Type?: string, Properties?: Record<string, unknown> }> },
 *   custom?: { localStack?: { environment?: string[], bucketNames?: Record<string, string> } },
 * }} ServiceConfig
 */

/**
 * Applies the local stack's changes to a service configuration, in place: the listed variables take the value of
 * the local environment where it has one, and each bucket of `bucketNames` takes its plain name wherever the
 * configuration names it (`Ref`), in the environment, the S3 events and the bucket's own BucketName.
 * @param {ServiceConfig} service
 * @param {Record<string, string | undefined>} env
 * @returns {string[]} the variables the local environment set
 */
export function applyLocalStack(service, env) {
  const settings = service.custom?.localStack ?? {};
  const overridden = new Set();
  const environments = [service.provider.environment, ...Object.values(service.functions).map((fn) => fn.environment)];
  for (const name of settings.environment ?? []) {
    const value = env[name];
    if (value === undefined) continue;
    overridden.add(name);
    for (const environment of environments) if (environment && name in environment) environment[name] = value;
  }
  for (const [logicalId, bucketName] of Object.entries(settings.bucketNames ?? {})) {
    const isRef = (/** @type {unknown} */ value) =>
      typeof value === "object" && value !== null && /** @type {{ Ref?: unknown }} */ (value).Ref === logicalId;
    for (const environment of environments) {
      for (const [key, value] of Object.entries(environment ?? {})) if (isRef(value) && environment) environment[key] = bucketName;
    }
    for (const fn of Object.values(service.functions)) {
      for (const event of fn.events ?? []) if (event.s3 && isRef(event.s3.bucket)) event.s3.bucket = bucketName;
    }
    const resource = service.resources?.Resources?.[logicalId];
    if (resource?.Properties) resource.Properties.BucketName = bucketName;
  }
  return [...overridden].sort();
}

/**
 * Gives each function of the local stack its own access key (dev/iam/identities.mjs) in its environment, so that
 * the local services' checking proxy holds each call against that function's role alone. In place; returns the keys.
 * @param {ServiceConfig & { functions: Record<string, { name?: string }> }} service
 * @returns {string[]}
 */
export function giveFunctionsLocalKeys(service) {
  const keys = [];
  for (const fn of Object.values(service.functions)) {
    if (!fn.name) continue;
    const accessKeyId = accessKeyIdOf(fn.name);
    fn.environment = { ...fn.environment, AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: LOCAL_SECRET_ACCESS_KEY };
    delete fn.environment.AWS_SESSION_TOKEN;
    keys.push(accessKeyId);
  }
  return keys;
}

/**
 * Makes serverless-esbuild's watcher (which serverless-offline starts) rebuild on a change under lib/ or functions/,
 * so that the next request runs the new code: it ignores whatever the package excludes, and `package.patterns`
 * excludes every file (`!./**`: each zip holds its bundle only) — a pattern that means nothing to a stack that zips
 * nothing. After a rebuild serverless-esbuild tells serverless-offline, which drops its function instances.
 * @param {{ package?: { patterns?: string[] }, custom?: { esbuild?: Record<string, unknown> } }} service
 */
export function watchLambdaCode(service) {
  if (service.package?.patterns) service.package.patterns = service.package.patterns.filter((pattern) => pattern !== "!./**");
  service.custom ??= {};
  service.custom.esbuild = {
    ...service.custom.esbuild,
    watch: { pattern: ["lib/**/*.ts", "functions/**/*.ts"], ignore: [".esbuild*", "node_modules", "test", "web"] },
  };
}

/**
 * The local-only build settings of an environment that a package must not take, as messages naming each.
 * @param {Record<string, string | undefined>} env
 * @returns {string[]}
 */
export function packagingRefusals(env) {
  return Object.entries(LOCAL_BUILD_SETTINGS)
    .filter(([name, allowed]) => env[name] !== undefined && env[name] !== "" && env[name] !== allowed)
    .map(([name, allowed]) => `${name}=${env[name]} is a local stack setting; unset it (or set it to "${allowed}") to package or deploy`);
}

/**
 * @typedef {{
 *   service: ServiceConfig,
 *   processedInput: { commands: string[] },
 *   classes: { Error: new (message: string) => Error },
 * }} Serverless
 */

/** The plugin serverless.yml loads (`./deploy/local-stack.mjs`). */
export default class LocalStackPlugin {
  /**
   * @param {Serverless} serverless
   * @param {unknown} _options
   * @param {{ log: { notice: (message: string) => void, verbose: (message: string) => void } }} utils
   */
  constructor(serverless, _options, utils) {
    const command = serverless.processedInput.commands.join(" ");
    /** @type {Record<string, () => void>} */
    this.hooks = {};
    if (PACKAGING_COMMANDS.includes(command)) {
      this.hooks.initialize = () => {
        const refusals = packagingRefusals(process.env);
        if (refusals.length > 0) throw new serverless.classes.Error(refusals.join("\n"));
      };
    }
    if (LOCAL_COMMANDS.includes(command)) {
      this.hooks.initialize = () => {
        const overridden = applyLocalStack(serverless.service, process.env);
        utils.log.verbose(`Local stack: ${overridden.length ? overridden.join(", ") : "no variable"} from the local environment`);
        if (command === "invoke local") return;
        watchLambdaCode(/** @type {any} */ (serverless.service));
        // serverless-offline runs s3rver (serverless-s3-local) in this process: it verifies each signature, so it
        // learns the functions' keys here (the module's account registry is the one s3rver uses).
        const keys = giveFunctionsLocalKeys(/** @type {any} */ (serverless.service));
        const { DUMMY_ACCOUNT } = createRequire(import.meta.url)("s3rver/lib/models/account");
        for (const accessKeyId of keys) DUMMY_ACCOUNT.createKeyPair(accessKeyId, LOCAL_SECRET_ACCESS_KEY);
      };
      // serverless-offline (13.x, 14.x) applies `exposedResponseHeaders` twice to every response with an Origin:
      // once in its onPreResponse handler, once through hapi's route CORS, which appends, so a browser would read
      // "Retry-After,Retry-After" where API Gateway sends it once. The routes are built during offline:start:init and
      // the handler reads the configuration per request, so the routes are built without the list and the handler
      // keeps it. test/e2e/headers.test.ts checks the header the local stack sends.
      /** @type {unknown} */
      let exposed;
      const cors = () => /** @type {{ exposedResponseHeaders?: unknown } | undefined} */ (serverless.service.provider.httpApi?.cors);
      this.hooks["before:offline:start:init"] = () => {
        const config = cors();
        if (typeof config !== "object" || config === null) return;
        exposed = config.exposedResponseHeaders;
        delete config.exposedResponseHeaders;
      };
      this.hooks["after:offline:start:init"] = () => {
        const config = cors();
        if (exposed !== undefined && typeof config === "object" && config !== null) config.exposedResponseHeaders = exposed;
      };
    }
  }
}
