import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { DeleteParametersCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { missingParameters } from "../../deploy/check-secrets.mjs";
import { cleanShell, runSls } from "../helpers/sls.ts";

// What a deploy checks before CloudFormation runs, and what `--param` changes, through the project's own `sls`.
// The SSM side is moto's fake AWS (`moto_server`, on this machine's image; `pip install "moto[server]"` elsewhere).

const motoAvailable = spawnSync("moto_server", ["--help"], { encoding: "utf8" }).status === 0;
if (!motoAvailable && process.env.CI !== "true")
  console.warn('moto_server is not installed: the SSM check tests are skipped (pip install "moto[server]")');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

describe.skipIf(!motoAvailable && process.env.CI !== "true")("a deploy stops on a missing SSM parameter (against moto)", () => {
  let moto: ChildProcess | undefined;
  let endpoint = "";
  let ssm: SSMClient;
  const REGION = "ap-northeast-1";
  const credentials = { accessKeyId: "testing", secretAccessKey: "testing" };
  // The deployer's AWS: SSM is moto; every other service is a closed port, so a deploy that went past the check
  // could not reach anything.
  const deployShell = () => ({
    ...cleanShell(),
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL: "http://127.0.0.1:9",
    AWS_ENDPOINT_URL_SSM: endpoint,
    SLS_AWS_REQUEST_MAX_RETRIES: "0",
  });
  const put = (name: string) =>
    ssm.send(new PutParameterCommand({ Name: name, Type: "SecureString", Value: "a-value-nobody-reads", Overwrite: true }));

  beforeAll(async () => {
    if (!motoAvailable) throw new Error('moto_server is required under CI=true (pip install "moto[server]")');
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    moto = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
    ssm = new SSMClient({ region: REGION, endpoint, credentials, maxAttempts: 1 });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        const response = await fetch(`${endpoint}/moto-api/`);
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error("moto_server did not start");
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 60_000);

  afterAll(() => {
    ssm?.destroy();
    if (moto?.pid && moto.exitCode === null) moto.kill("SIGTERM");
  });

  it("names exactly the parameters that do not exist, in batches of 50", async () => {
    const names = Array.from({ length: 60 }, (_, index) => `/hera/batch/parameter-${index}`);
    for (const name of names.slice(0, 57)) await put(name);
    expect(await missingParameters(ssm, [...names, names[0]!])).toEqual(names.slice(57));
  });

  it("stops `sls deploy` before anything is built, naming the missing parameter and not the one that exists", async () => {
    await ssm.send(
      new DeleteParametersCommand({ Names: ["/hera/staging/upstash-redis-rest-url", "/hera/staging/upstash-redis-rest-token"] }),
    );
    await put("/hera/staging/upstash-redis-rest-url");
    const run = await runSls(["deploy", "--stage", "staging"], deployShell(), 120_000);
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("Missing SSM parameters of stage staging (ap-northeast-1): /hera/staging/upstash-redis-rest-token.");
    expect(run.output).not.toContain("/hera/staging/upstash-redis-rest-url");
    expect(run.output).not.toMatch(/Packaging|Uploading|CloudFormation stack/);
    expect(run.output).not.toContain("a-value-nobody-reads");
  });

  it("passes `sls check-secrets` once they exist, and asks for the Gemini key only when a provider is Gemini", async () => {
    await put("/hera/staging/upstash-redis-rest-url");
    await put("/hera/staging/upstash-redis-rest-token");
    const passing = await runSls(["check-secrets", "--stage", "staging"], deployShell(), 120_000);
    expect(passing.output).toContain("The 2 SSM parameters of stage staging (ap-northeast-1) exist");
    expect(passing.code).toBe(0);

    const gemini = await runSls(["check-secrets", "--stage", "staging", "--param=imageProvider=gemini"], deployShell(), 120_000);
    expect(gemini.code).not.toBe(0);
    expect(gemini.output).toContain("Missing SSM parameters of stage staging (ap-northeast-1): /hera/staging/gemini-api-key.");
  });
});

interface PrintedConfig {
  provider: { httpApi: { cors: { allowedOrigins: string[] } } };
  resources: unknown;
}
interface PrintedBucket {
  Properties: { CorsConfiguration: { CorsRules: Array<{ AllowedOrigins: string[] }> } };
}

describe("--param on the command line: one deploy's extra origins", () => {
  const printed = async (args: string[]) => {
    const run = await runSls(["print", ...args], cleanShell(), 120_000);
    return { ...run, config: run.code === 0 ? (parse(run.output.slice(run.output.indexOf("service:"))) as PrintedConfig) : undefined };
  };

  it("adds a localhost front end to staging's origins, on the API and on the photo bucket", async () => {
    const { code, output, config } = await printed(["--stage", "staging", "--param=extraOrigins=http://localhost:5173"]);
    expect(code, output).toBe(0);
    const expected = ["https://staging.hera.example", "http://localhost:5173"];
    expect(config!.provider.httpApi.cors.allowedOrigins).toEqual(expected);
    const fragments = (Array.isArray(config!.resources) ? config!.resources : [config!.resources]) as Array<{
      Resources?: Record<string, PrintedBucket>;
    }>;
    const bucket = fragments.find((fragment) => fragment.Resources?.PhotoBucket)!.Resources!.PhotoBucket!;
    expect(bucket.Properties.CorsConfiguration.CorsRules[0]!.AllowedOrigins).toEqual(expected);
  });

  it("refuses a localhost origin on prod, naming the param that says so", async () => {
    const { code, output } = await printed(["--stage", "prod", "--param=extraOrigins=http://localhost:5173"]);
    expect(code).not.toBe(0);
    expect(output).toContain("params.prod.localOriginsAllowed");
  });
});
