import { describe, expect, it } from "vitest";
import { requiredNames } from "../../deploy/check-secrets.mjs";
import { applyLocalStack, packagingRefusals, watchLambdaCode } from "../../deploy/local-stack.mjs";
import observability from "../../deploy/observability.cjs";
import origins from "../../deploy/origins.cjs";

describe("deploy/origins.cjs: the one list of a stage's origins", () => {
  const allowed = (listed: unknown, extra = "", localAllowed = true) =>
    origins.allowedOrigins({ stage: "staging", listed, extra, localAllowed });

  it("adds the comma-separated extra origins to the stage's list, once each", () => {
    expect(allowed(["https://staging.hera.example"], " http://localhost:5173, https://staging.hera.example ")).toEqual([
      "https://staging.hera.example",
      "http://localhost:5173",
    ]);
    expect(allowed(["https://staging.hera.example"])).toEqual(["https://staging.hera.example"]);
  });

  it("keeps a lone wildcard, and refuses one beside other origins", () => {
    expect(allowed(["*"])).toEqual(["*"]);
    expect(() => allowed(["*"], "http://localhost:5173")).toThrow(/cannot be combined/);
  });

  it.each([
    ["a path", "https://hera.example/app"],
    ["a trailing slash", "https://hera.example/"],
    ["no scheme", "hera.example"],
    ["plain http to a real host", "http://hera.example"],
  ])("refuses an origin with %s", (_name, origin) => {
    expect(() => allowed([origin])).toThrow(origin);
  });

  it("refuses a developer's machine on a stage that does not allow one, naming the param", () => {
    expect(() => allowed(["https://hera.example"], "http://localhost:5173", false)).toThrow(/localOriginsAllowed/);
    expect(() => allowed(["https://hera.example"], "http://127.0.0.1:3000", false)).toThrow(/localOriginsAllowed/);
  });

  it("refuses a stage without its list", () => {
    expect(() => allowed([])).toThrow(/params\.staging\.allowedOrigins/);
    expect(() => allowed("https://hera.example")).toThrow(/YAML list/);
  });
});

describe("deploy/local-stack.mjs: what the local stack changes", () => {
  const service = () => ({
    provider: {
      environment: { STAGE: "dev", SESSION_CREATE_LIMIT: "30", PHOTO_BUCKET: { Ref: "PhotoBucket" } } as Record<string, unknown>,
    },
    functions: {
      getSession: { environment: { UPSTASH_REDIS_REST_URL_PARAMETER: "/hera/dev/upstash-redis-rest-url" } as Record<string, unknown> },
      photoUploaded: { events: [{ s3: { bucket: { Ref: "PhotoBucket" }, existing: true } }, { httpApi: { path: "/x" } }] },
      health: {},
    },
    resources: {
      Resources: {
        PhotoBucket: { Type: "AWS::S3::Bucket", Properties: { BucketName: { "Fn::Sub": "hera-api-photos-dev-${AWS::AccountId}" } } },
      },
    },
    custom: {
      localStack: {
        environment: ["SESSION_CREATE_LIMIT", "UPSTASH_REDIS_REST_URL_PARAMETER", "MESSAGE_LIMIT"],
        bucketNames: { PhotoBucket: "hera-api-photos-dev" },
      },
    },
  });

  it("lets the local value of each listed variable win, an empty one included, and leaves the rest", () => {
    const config = service();
    const overridden = applyLocalStack(config, { SESSION_CREATE_LIMIT: "1000", UPSTASH_REDIS_REST_URL_PARAMETER: "", STAGE: "prod" });
    expect(overridden).toEqual(["SESSION_CREATE_LIMIT", "UPSTASH_REDIS_REST_URL_PARAMETER"]);
    expect(config.provider.environment.SESSION_CREATE_LIMIT).toBe("1000");
    expect(config.functions.getSession.environment.UPSTASH_REDIS_REST_URL_PARAMETER).toBe("");
    expect(config.provider.environment.STAGE).toBe("dev"); // not listed: the template's value stays
    expect(config.provider.environment).not.toHaveProperty("MESSAGE_LIMIT"); // listed, but the template has none
  });

  it("gives the bucket its plain name wherever the configuration names it by Ref", () => {
    const config = service();
    applyLocalStack(config, {});
    expect(config.provider.environment.PHOTO_BUCKET).toBe("hera-api-photos-dev");
    expect(config.functions.photoUploaded.events[0]).toEqual({ s3: { bucket: "hera-api-photos-dev", existing: true } });
    expect(config.resources.Resources.PhotoBucket.Properties.BucketName).toBe("hera-api-photos-dev");
  });

  it("refuses to package with a local build target, naming the variable, and accepts Lambda's or none", () => {
    expect(packagingRefusals({ ESBUILD_INSTALL_TARGET: "host" })).toEqual([expect.stringContaining("ESBUILD_INSTALL_TARGET=host")]);
    expect(packagingRefusals({ ESBUILD_INSTALL_TARGET: "lambda" })).toEqual([]);
    expect(packagingRefusals({})).toEqual([]);
  });
});

describe("deploy/local-stack.mjs: code reload", () => {
  it("lets serverless-esbuild's watcher see lib/ and functions/, which the package's !./** hid from it", () => {
    const service = { package: { patterns: ["!./**"] }, custom: { esbuild: { minify: true } } };
    watchLambdaCode(service);
    expect(service.package.patterns).toEqual([]);
    expect(service.custom.esbuild).toMatchObject({ minify: true, watch: { pattern: ["lib/**/*.ts", "functions/**/*.ts"] } });
  });
});

describe("deploy/check-secrets.mjs: the names a deploy checks", () => {
  it("drops the empty entries (a secret the stage does not need) and repeats", () => {
    expect(requiredNames(["/hera/staging/a", "", "/hera/staging/b", " ", "/hera/staging/a"])).toEqual([
      "/hera/staging/a",
      "/hera/staging/b",
    ]);
    expect(requiredNames(undefined)).toEqual([]);
  });
});

describe("deploy/observability.cjs: thresholds", () => {
  const thresholds = {
    alarmApi5xxPercent: 1,
    alarmApiMinRequests: 20,
    alarmDependencyErrors: 5,
    alarmImagesFailedPercent: 20,
    alarmImagesMinJobs: 5,
    alarmFunctionErrors: 1,
    alarmFunctionThrottles: 1,
    alarmDeadLetters: 1,
    alarmTableThrottles: 1,
    alarmBudgetPercent: 80,
    imageJobsPerDay: 200,
    chatTurnsPerDay: 5000,
  };

  it("refuses a threshold that is not a number, naming the param", () => {
    expect(() =>
      observability.observability({
        service: "hera-api",
        stage: "dev",
        functions: ["imageWorker"],
        thresholds: { ...thresholds, alarmDeadLetters: Number.NaN },
        alarmEmail: "",
      }),
    ).toThrow(/params\.dev\.alarmDeadLetters/);
  });

  it("names a function's resource as the framework does", () => {
    expect(observability.functionLogicalId("imageWorker")).toBe("ImageWorkerLambdaFunction");
    expect(observability.functionLogicalId("get-photo_x")).toBe("GetDashphotoUnderscorexLambdaFunction");
  });
});
