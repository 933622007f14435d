import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import * as esbuild from "esbuild";
import { parse } from "yaml";
import { BUNDLE_BUDGETS } from "./budgets.ts";

/** What serverless-esbuild reads from serverless.yml's `custom.esbuild` but does not pass to esbuild (see its dist/bundle.js). */
const PLUGIN_ONLY_OPTIONS = [
  "concurrency",
  "zipConcurrency",
  "exclude",
  "nativeZip",
  "packager",
  "packagePath",
  "watch",
  "keepOutputDirectory",
  "packagerOptions",
  "installExtraArgs",
  "outputFileExtension",
  "outputBuildFolder",
  "outputWorkFolder",
  "nodeExternals",
  "skipBuild",
  "skipRebuild",
  "skipBuildExcludeFns",
  "stripEntryResolveExtensions",
  "disposeContext",
] as const;

interface ServerlessYml {
  provider: { runtime: string };
  custom: { esbuild: Record<string, unknown> };
  functions: Record<string, { handler: string }>;
}

/** One function of serverless.yml and the entry file its handler names. */
export interface FunctionEntry {
  name: string;
  entry: string;
}

/** The esbuild options serverless-esbuild would use, read from serverless.yml so that the benchmark cannot drift from a deploy. */
export function esbuildOptionsFromServerless(root: string): {
  options: esbuild.BuildOptions;
  functions: FunctionEntry[];
  extension: string;
} {
  const config = parse(readFileSync(join(root, "serverless.yml"), "utf8"), { merge: true }) as ServerlessYml;
  const custom = { ...config.custom.esbuild };
  const extension = typeof custom.outputFileExtension === "string" ? custom.outputFileExtension : ".js";
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : ["aws-sdk"];
  for (const name of PLUGIN_ONLY_OPTIONS) delete custom[name];
  for (const [name, value] of Object.entries(custom)) {
    if (JSON.stringify(value).includes("${"))
      throw new Error(`custom.esbuild.${name} uses a serverless variable; the benchmark cannot resolve it`);
  }
  // serverless-esbuild's defaults, under what serverless.yml sets.
  const options: esbuild.BuildOptions = {
    bundle: true,
    platform: "node",
    target: config.provider.runtime.replace(/\.x$/, "").replace("nodejs", "node"),
    ...(custom as esbuild.BuildOptions),
    external: [...((custom.external as string[] | undefined) ?? []), ...(exclude.includes("*") ? [] : exclude)],
    ...(extension === ".js" ? {} : { outExtension: { ".js": extension } }),
  };
  const functions = Object.entries(config.functions).map(([name, definition]) => {
    const file = definition.handler.slice(0, definition.handler.lastIndexOf("."));
    return { name, entry: `${file}.ts` };
  });
  return { options, functions, extension };
}

/** Where bytes of a bundle come from: a package of node_modules, or the project's own code. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return "(project)";
  const parts = input.slice(at + "node_modules/".length).split("/");
  return parts[0]?.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

/** The AWS SDK packages that a bundle's clients come from (the shared @smithy and @aws-crypto code counts as their runtime). */
const SDK_PACKAGE = /^@aws-sdk\/(client-|lib-|s3-)/;
const SDK_RUNTIME = /^(@smithy\/|@aws-crypto\/|@aws-sdk\/)/;

export interface BundleReport {
  name: string;
  entry: string;
  file: string;
  bytes: number;
  /** The AWS SDK clients and helpers the bundle contains (by package). */
  sdks: string[];
  /** The AWS APIs the function calls (told by the SDK clients and the project modules that use them). */
  awsApis: string[];
  /** Bytes of the AWS SDK as a whole (clients, their shared runtime, credential providers). */
  sdkBytes: number;
  /** Bytes per package, largest first. */
  packages: Array<{ name: string; bytes: number }>;
  /** The packages it imports at run time from node_modules (externals): what serverless-esbuild puts beside it in the zip. */
  externals: string[];
  target?: { kind: string; maxBytes: number };
}

/** The AWS APIs a bundle calls, told by the modules it contains: the SDK clients and the project modules that use them. */
const AWS_API_MODULES: Array<[string, RegExp]> = [
  ["S3", /^(lib\/storage\/s3-|lib\/clients\/s3\.ts$|node_modules\/@aws-sdk\/(client-s3|s3-)[^/]*\/)/],
  ["DynamoDB", /^(lib\/clients\/dynamodb\.ts$|node_modules\/@aws-sdk\/(client-dynamodb|lib-dynamodb)\/)/],
  ["Lambda", /^(lib\/clients\/lambda\.ts$|node_modules\/@aws-sdk\/client-lambda\/)/],
  ["SSM", /^(lib\/clients\/ssm\.ts$|node_modules\/@aws-sdk\/client-ssm\/)/],
];

/** Which AWS APIs a bundle's inputs reach. */
export function awsApisOf(inputs: string[]): string[] {
  return AWS_API_MODULES.filter(([, pattern]) => inputs.some((input) => pattern.test(input))).map(([api]) => api);
}

/** Builds every function (and any extra entries) exactly as serverless.yml configures esbuild, into `outdir`. */
export async function buildBundles(root: string, outdir: string, extra: FunctionEntry[] = []): Promise<BundleReport[]> {
  const { options, functions, extension } = esbuildOptionsFromServerless(root);
  rmSync(outdir, { recursive: true, force: true });
  const reports: BundleReport[] = [];
  for (const fn of [...functions, ...extra]) {
    const entry = resolve(root, fn.entry);
    const out = join(outdir, dirname(fn.entry));
    mkdirSync(out, { recursive: true });
    const result = await esbuild.build({
      ...options,
      entryPoints: [entry],
      outdir: out,
      metafile: true,
      logLevel: "error",
      absWorkingDir: root,
    });
    const file = join(out, `${basename(fn.entry, ".ts")}${extension}`);
    const output = result.metafile.outputs[relative(root, file)];
    if (!output) throw new Error(`esbuild wrote no ${file}`);
    const byPackage = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
    const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
    const sdks = packages
      .filter((p) => SDK_PACKAGE.test(p.name) && p.bytes > 0)
      .map((p) => p.name)
      .sort();
    const awsApis = awsApisOf(
      Object.entries(output.inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .map(([name]) => name),
    );
    const imported = output.imports.filter((entry) => entry.external && !entry.path.startsWith("node:"));
    const externals = [...new Set(imported.map((entry) => packageOf(`node_modules/${entry.path}`)))];
    const budget = BUNDLE_BUDGETS[fn.name];
    reports.push({
      name: fn.name,
      entry: fn.entry,
      file,
      bytes: statSync(file).size,
      sdks,
      awsApis,
      sdkBytes: packages.filter((p) => SDK_RUNTIME.test(p.name)).reduce((sum, p) => sum + p.bytes, 0),
      packages,
      externals: externals.sort(),
      ...(functions.includes(fn) && budget !== undefined ? { target: { kind: "budget", maxBytes: budget } } : {}),
    });
  }
  return reports;
}
