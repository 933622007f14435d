import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BUNDLE_BUDGETS, PLAIN_PACKAGE_BUDGET } from "../../bench/budgets.ts";
import { esbuildOptionsFromServerless } from "../../bench/bundles.ts";
import { geminiJson, startFakeGemini, type FakeGemini } from "../fakes/gemini-server.ts";
import { startFakeParametersExtension, type FakeParametersExtension } from "../fakes/parameters-extension.ts";
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from "../../dev/iam/identities.mjs";
import { packagedStage, PLANTED_SECRETS } from "../helpers/packaged-stage.ts";
import { serverlessFunctions } from "../helpers/serverless-config.ts";
import { extractZip, readZipEntry, zipEntries, type ZipEntry } from "../helpers/zip.ts";

// The zips `sls package --stage prod` makes, as Lambda would unpack them: each holds its function's own minified bundle
// within its budget (bench/budgets.ts) and, beside it, only the externals that bundle loads, pruned of what no function
// loads (scripts/prune-externals.mjs). One package is run as it is, against fakes of what it calls, to show the pruning
// left a working SDK.

/**
 * The functions that can call Gemini (the interviewer's replies, the image worker; createSession opens with the local
 * interviewer's question whatever the provider), and those that decode or draw images.
 */
const GEMINI_FUNCTIONS = ["postMessage", "imageWorker"];
const SHARP_FUNCTIONS = ["photoUploaded", "imageWorker"];
/** The functions that read objects only through presigned links (and a read's check of a late upload). */
const LINK_ONLY_FUNCTIONS = ["getSession", "getPhoto", "getResult", "requestImage"];

const LOCAL_KEY_PREFIX = accessKeyIdOf("");
let directory: string;
const functions = Object.entries(serverlessFunctions()).map(([name, definition]) => ({
  name,
  bundle: `${definition.handler.slice(0, definition.handler.lastIndexOf("."))}.mjs`,
}));
const names = functions.map((fn) => fn.name);
const entriesOf = (name: string): ZipEntry[] => zipEntries(join(directory, `${name}.zip`));
const hasPackage = (entries: ZipEntry[], pkg: string) => entries.some((entry) => entry.name.startsWith(`node_modules/${pkg}/`));

beforeAll(async () => {
  ({ directory } = await packagedStage("prod"));
}, 600_000);

describe("sls package --stage prod: each function's bundle", () => {
  it("has a budget for every function of serverless.yml", () => {
    expect(Object.keys(BUNDLE_BUDGETS).sort()).toEqual(functions.map((fn) => fn.name).sort());
  });

  it.each(functions)("keeps the bundle of $name within its budget", ({ name, bundle }) => {
    const main = entriesOf(name).find((entry) => entry.name === bundle);
    expect(main, `${name}.zip has ${bundle}`).toBeDefined();
    expect(main!.size).toBeLessThanOrEqual(BUNDLE_BUDGETS[name]!);
  });

  it.each(functions)("finds no SSM SDK and no secret value in the bundle of $name", ({ name, bundle }) => {
    const code = readZipEntry(join(directory, `${name}.zip`), bundle).toString("utf8");
    expect(code).not.toContain("@aws-sdk/client-ssm");
    expect(code).not.toContain("AmazonSSM");
    for (const value of Object.values(PLANTED_SECRETS)) expect(code).not.toContain(value);
  });

  it.each(functions)("finds nothing of the local stack's IAM check in the bundle of $name", ({ name, bundle }) => {
    // Each function's local key (deploy/local-stack.mjs, offline only) and the checking proxy stay on this machine.
    const code = readZipEntry(join(directory, `${name}.zip`), bundle).toString("utf8");
    for (const local of [LOCAL_KEY_PREFIX, LOCAL_SECRET_ACCESS_KEY, "Invalid according to Policy", "no identity-based policy allows"]) {
      expect(code, local).not.toContain(local);
    }
  });

  it("bundles one copy of each package: none nested in another's node_modules", async () => {
    // A nested copy is a second version of a package, e.g. a client-s3 pinned by @aws-sdk/s3-presigned-post other than
    // the project's (75 KB more in requestPhotoUpload): package.json pins that pair to one version.
    const { options } = esbuildOptionsFromServerless(process.cwd());
    const nested: string[] = [];
    for (const { name, bundle } of functions) {
      const entry = bundle.replace(/\.mjs$/, ".ts");
      const result = await esbuild.build({
        ...options,
        entryPoints: [entry],
        outdir: join(tmpdir(), "hera-nested"),
        write: false,
        metafile: true,
        logLevel: "error",
      });
      const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
      for (const [input, { bytesInOutput }] of inputs)
        if (bytesInOutput > 0 && /node_modules\/.*\/node_modules\//.test(input)) nested.push(`${name}: ${input}`);
    }
    expect(nested).toEqual([]);
  }, 120_000);
  it("bundles no S3 client in the functions that only hand out links or check an upload", async () => {
    // They sign links and their few object calls without it (lib/clients/s3-signer.ts); the functions that write keep it.
    const { options } = esbuildOptionsFromServerless(process.cwd());
    const withClient: string[] = [];
    for (const { name, bundle } of functions) {
      const result = await esbuild.build({
        ...options,
        entryPoints: [bundle.replace(/\.mjs$/, ".ts")],
        outdir: join(tmpdir(), "hera-s3-client"),
        write: false,
        metafile: true,
        logLevel: "error",
      });
      const inputs = Object.values(result.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
      if (inputs.some(([input, { bytesInOutput }]) => bytesInOutput > 0 && input.includes("node_modules/@aws-sdk/client-s3/")))
        withClient.push(name);
    }
    expect(withClient.filter((name) => LINK_ONLY_FUNCTIONS.includes(name))).toEqual([]);
    // And the others still have it: the check above looks at the right thing.
    expect(withClient).toContain("requestPhotoUpload");
  }, 120_000);
});

describe("sls package --stage prod: what ships beside each bundle", () => {
  it.each(names)("ships no source map, typings or TypeScript source in the zip of %s", (name) => {
    const unwanted = entriesOf(name).filter((entry) => /\.(map|tsbuildinfo)$|\.d\.[cm]?ts$|\.[cm]?ts$/.test(entry.name));
    expect(unwanted.map((entry) => entry.name)).toEqual([]);
  });

  it.each(names)("ships no browser build in the zip of %s", (name) => {
    const entries = entriesOf(name);
    // What the packages' own manifests name as their browser builds (ws/browser.js, debug/src/browser.js...).
    const browserFiles = ["node_modules/ws/browser.js", "node_modules/debug/src/browser.js"];
    const unwanted = entries.filter(
      (entry) =>
        browserFiles.includes(entry.name) ||
        /^node_modules\/@google\/genai\/(?!package\.json$|LICENSE$|dist\/node\/index\.mjs$)/.test(entry.name),
    );
    expect(unwanted.map((entry) => entry.name)).toEqual([]);
  });

  it.each(names)("ships no browser/ or web/ folder in the zip of %s, but one that Node requires when it loads the package", (name) => {
    // google-auth-library's crypto.js requires ./browser/crypto at load (its class is used only under a `window`):
    // without it the module would not load, so it is the one such folder a zip keeps.
    const requiredAtLoad = "node_modules/google-auth-library/build/src/crypto/browser/";
    const unwanted = entriesOf(name).filter((entry) => /\/(browser|web)\//.test(entry.name) && !entry.name.startsWith(requiredAtLoad));
    expect(unwanted.map((entry) => entry.name)).toEqual([]);
  });

  it("ships @google/genai, its node build alone, only in the functions that can call Gemini", () => {
    for (const { name } of functions) {
      const entries = entriesOf(name);
      expect(hasPackage(entries, "@google/genai"), name).toBe(GEMINI_FUNCTIONS.includes(name));
      if (GEMINI_FUNCTIONS.includes(name)) {
        expect(entries.map((entry) => entry.name)).toContain("node_modules/@google/genai/dist/node/index.mjs");
        // Used by genai's tokenizer only, which is not shipped.
        const protobufjs = entries.filter((entry) => entry.name.startsWith("node_modules/protobufjs/")).map((entry) => entry.name);
        expect(protobufjs.sort()).toEqual(["node_modules/protobufjs/LICENSE", "node_modules/protobufjs/package.json"]);
      }
    }
  });

  it("ships sharp and its linux-arm64 libvips only in the functions that decode or draw images", () => {
    for (const { name } of functions) {
      const entries = entriesOf(name);
      const images = SHARP_FUNCTIONS.includes(name);
      expect(hasPackage(entries, "sharp"), name).toBe(images);
      expect(
        entries.some((entry) => entry.name.startsWith("node_modules/@img/")),
        name,
      ).toBe(images);
      if (!images) continue;
      expect(
        entries.some((entry) => /^node_modules\/@img\/sharp-linux-arm64\/lib\/.*\.node$/.test(entry.name)),
        name,
      ).toBe(true);
      expect(
        entries.some((entry) => /^node_modules\/@img\/sharp-libvips-linux-arm64\/lib\/libvips-cpp\.so/.test(entry.name)),
        name,
      ).toBe(true);
      expect(
        entries.filter((entry) => /linux-x64|darwin|win32|musl/.test(entry.name)).map((entry) => entry.name),
        name,
      ).toEqual([]);
      expect(
        entries.filter((entry) => /^node_modules\/sharp\/(src|install)\//.test(entry.name)).map((entry) => entry.name),
        name,
      ).toEqual([]);
    }
  });

  it.each(names.filter((name) => !GEMINI_FUNCTIONS.includes(name) && !SHARP_FUNCTIONS.includes(name)))(
    "keeps %s, which ships neither sharp nor genai, within 1.5 MB unpacked",
    (name) => {
      const unpacked = entriesOf(name).reduce((sum, entry) => sum + entry.size, 0);
      expect(unpacked).toBeLessThanOrEqual(PLAIN_PACKAGE_BUDGET);
    },
  );
});

describe("sls package --stage prod: a pruned package still runs", () => {
  const PACKAGED_RUNS = ["createSession", "postMessage", "requestPhotoUpload"];
  const SESSION_TOKEN = "packaged-test-session-token";
  let unpacked: string;
  let gemini: FakeGemini;
  let extension: FakeParametersExtension;
  let variables: Record<string, Record<string, unknown>>;

  beforeAll(async () => {
    unpacked = mkdtempSync(join(tmpdir(), "hera-unpacked-"));
    for (const name of PACKAGED_RUNS) extractZip(join(directory, `${name}.zip`), join(unpacked, name));
    gemini = await startFakeGemini();
    const services = inject("services");
    extension = await startFakeParametersExtension({
      token: SESSION_TOKEN,
      parameters: {
        "/hera/prod/upstash-redis-rest-url": services.redisUrl,
        "/hera/prod/upstash-redis-rest-token": services.redisToken,
        "/hera/prod/gemini-api-key": "packaged-test-gemini-key",
        // The stage's Gemini chat switch (a parameter of the stack, "true" unless the operator flips it).
        "/hera/prod/gemini-chat-enabled": "true",
      },
    });
    const template = JSON.parse((await packagedStage("prod")).raw) as {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const environmentOf = (name: string) =>
      template.Resources[`${name.charAt(0).toUpperCase()}${name.slice(1)}LambdaFunction`]?.Properties.Environment;
    variables = Object.fromEntries(
      PACKAGED_RUNS.map((name) => [name, (environmentOf(name) as { Variables: Record<string, unknown> } | undefined)?.Variables ?? {}]),
    );
  });

  afterAll(async () => {
    await Promise.allSettled([gemini?.close(), extension?.close()]);
    if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  });

  /** Runs a function from its unpacked zip in a fresh Node, with its prod environment set to Gemini and the fakes. */
  async function invoke(name: string, bundle: string, event: unknown): Promise<{ statusCode: number; body: string }> {
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      // The bucket and the table are CloudFormation references in the template: any names do, no call reaches them.
      PHOTO_BUCKET: "hera-api-photos-prod-packaged",
      RESULTS_TABLE: "hera-api-results-prod",
      ...Object.fromEntries(Object.entries(variables[name] ?? {}).filter(([, value]) => typeof value === "string")),
      CHAT_PROVIDER: "gemini",
      GEMINI_BASE_URL: gemini.baseUrl,
      NODE_OPTIONS: "",
      AWS_REGION: "ap-northeast-1",
      AWS_LAMBDA_FUNCTION_NAME: `hera-api-prod-${name}`,
      AWS_SESSION_TOKEN: SESSION_TOKEN,
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(extension.port),
      POWERTOOLS_METRICS_DISABLED: "true",
    };
    const script = `
      const { handler } = await import(process.argv[1]);
      const context = {
        awsRequestId: "packaged",
        functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
        getRemainingTimeInMillis: () => 10000,
      };
      const result = await handler(JSON.parse(process.env.TEST_EVENT), context);
      process.stderr.write("@@" + JSON.stringify(result));
      process.exit(0);`;
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", script, pathToFileURL(join(unpacked, name, bundle)).href], {
        env: { ...env, TEST_EVENT: JSON.stringify(event) },
        cwd: join(unpacked, name),
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
      child.once("error", reject);
      child.once("exit", () => resolve(stderr));
    });
    const at = output.lastIndexOf("@@");
    if (at < 0) throw new Error(`${name} did not answer: ${output.slice(0, 2000)}`);
    return JSON.parse(output.slice(at + 2)) as { statusCode: number; body: string };
  }

  const httpEvent = (body: unknown, extra: Record<string, unknown> = {}) => ({
    headers: { "content-type": "application/json", ...((extra.headers as Record<string, string>) ?? {}) },
    body: JSON.stringify(body),
    isBase64Encoded: false,
    pathParameters: extra.pathParameters,
    requestContext: { http: { method: "POST", sourceIp: "203.0.113.9" }, requestId: "packaged" },
  });

  it("answers a message with the Gemini interviewer from postMessage.zip as unpacked, its secrets from the extension", async () => {
    // Prepare: a session opened by createSession.zip, which loads no SDK and reads no Gemini key
    gemini.respondWith(() => geminiJson({ reply: "Lovely. Where do you live?", extracted: { age: 34 } }));
    const created = await invoke("createSession", "functions/create-session.mjs", httpEvent({ locale: "en" }));
    expect(created.statusCode, created.body).toBe(201);
    const session = JSON.parse(created.body) as { sessionId: string; sessionToken: string };
    expect(gemini.requests).toEqual([]);
    expect(extension.requests.map((request) => request.names[0])).not.toContain("/hera/prod/gemini-api-key");
    // Act
    const answered = await invoke(
      "postMessage",
      "functions/post-message.mjs",
      httpEvent(
        { text: "I am 34." },
        { pathParameters: { sessionId: session.sessionId }, headers: { authorization: `Bearer ${session.sessionToken}` } },
      ),
    );
    // Assess
    expect(answered.statusCode, answered.body).toBe(200);
    expect(JSON.parse(answered.body)).toMatchObject({ reply: "Lovely. Where do you live?", extracted: ["age"], profile: { age: 34 } });
    expect(gemini.requests.map((request) => request.headers["x-goog-api-key"])).toEqual(["packaged-test-gemini-key"]);
    expect(extension.requests.map((request) => request.names[0])).toContain("/hera/prod/gemini-api-key");
  }, 30_000);

  // The validation messages come from an error map passed where validation happens; a locale configured as a side
  // effect was once dropped from every bundle, leaving each detail "Invalid input".
  it.each([
    [
      "postMessage",
      "functions/post-message.mjs",
      { message: "34" },
      [
        { field: "text", message: "Required: expected a string, but it is missing." },
        { field: "message", message: 'Unknown field: this object takes only "text".' },
      ],
    ],
    ["postMessage", "functions/post-message.mjs", { text: 34 }, [{ field: "text", message: "Expected a string, received an integer." }]],
    [
      "createSession",
      "functions/create-session.mjs",
      { locale: "fr" },
      [{ field: "locale", message: 'Expected one of "ja", "en"; received a string that is not one of them.' }],
    ],
    [
      "requestPhotoUpload",
      "functions/request-photo-upload.mjs",
      { contentType: "image/gif", contentLength: 0 },
      [
        {
          field: "contentType",
          message: 'Expected one of "image/jpeg", "image/png", "image/webp"; received a string that is not one of them.',
        },
        { field: "contentLength", message: "Expected at least 1; received an integer below that." },
      ],
    ],
  ])(
    "names the field, what is allowed and the type received in a 400 from %s as packaged (%#)",
    async (name, bundle, body, fields) => {
      // Act
      const answered = await invoke(name, bundle, httpEvent(body, { pathParameters: { sessionId: "AAAAAAAAAAAAAAAAAAAAAA" } }));
      // Assess
      expect(answered.statusCode, answered.body).toBe(400);
      expect(JSON.parse(answered.body)).toMatchObject({ error: { code: "invalid_request", details: { fields } } });
    },
    30_000,
  );
});
