import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessKeyIdOf, LOCAL_SECRET_ACCESS_KEY } from "../../dev/iam/identities.mjs";
import { httpApiRoutes, serverlessFunctions, stageParams } from "../helpers/serverless-config.ts";
import { cleanShell, runSls } from "../helpers/sls.ts";
import { withPackagingLock } from "../helpers/packaged-stage.ts";

// `sls package` for each stage, offline (no AWS account), into a temporary directory; its CloudFormation template is
// what `sls deploy` would send. Every stage is packaged from a clean shell; prod once more from a careless one
// (`.env.example` exported, plain secrets and local overrides set): both prod templates must be the same.
const STAGES = ["dev", "staging", "prod"] as const;
type Stage = (typeof STAGES)[number];

const PLANTED_SECRETS = {
  UPSTASH_REDIS_REST_URL: "https://planted-redis-url.example",
  UPSTASH_REDIS_REST_TOKEN: "planted-redis-token-5b8e1c",
  GEMINI_API_KEY: "planted-gemini-key-0d94aa",
};
/** What a developer's shell may hold besides `.env.example`: every setting the template used to read from it. */
const CARELESS_OVERRIDES = {
  SESSION_TTL_SECONDS: "120",
  SESSION_CREATE_LIMIT: "1000",
  MESSAGE_LIMIT: "1000",
  IMAGE_DAILY_LIMIT: "1000",
  IMAGE_JOBS_PER_CLIENT_PER_HOUR: "1000",
  CHAT_TURNS_PER_CLIENT_PER_HOUR: "1000",
  IMAGE_JOBS_PER_DAY: "1000000",
  CHAT_TURNS_PER_DAY: "1000000",
  IMAGES_ENABLED: "false",
  IMAGES_ENABLED_PARAMETER: "",
  CHAT_PROVIDER: "gemini",
  IMAGE_PROVIDER: "gemini",
  LOG_LEVEL: "DEBUG",
  POWERTOOLS_LOG_LEVEL: "DEBUG",
  POWERTOOLS_METRICS_DISABLED: "true",
  LAMBDA_ENDPOINT: "http://localhost:3002",
  PHOTO_BUCKET_NAME: "someone-elses-bucket",
  ALLOWED_ORIGINS: "http://localhost:5173",
};

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[] | string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Condition?: string;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, unknown>;
  Parameters?: Record<string, { Type: string; Default?: string }>;
  Conditions?: Record<string, unknown>;
}
interface Packaged {
  template: Template;
  raw: string;
  directory: string;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}
type Variables = Record<string, unknown>;

let workDirectory: string;
const packaged = {} as Record<Stage, Packaged>;
let prodFromCarelessShell: Packaged;

async function packageStage(stage: Stage, name: string, shell: NodeJS.ProcessEnv): Promise<Packaged> {
  const directory = join(workDirectory, name);
  // Its own build folder, so that a dev stack or another test run using .esbuild is left alone.
  const env = { ...shell, ESBUILD_WORK_FOLDER: `.esbuild-cfn-${stage}` };
  // Under the run's packaging lock: the framework stages every package in the project's .serverless/ before moving
  // it, and test/integration/packages.test.ts packages prod at the same time.
  const run = await withPackagingLock(() => runSls(["package", "--stage", stage, "--package", directory], env));
  if (run.code !== 0) throw new Error(`sls package --stage ${stage} failed (${run.code}):\n${run.output}`);
  const raw = readFileSync(join(directory, "cloudformation-template-update-stack.json"), "utf8");
  return { template: JSON.parse(raw) as Template, raw, directory };
}

beforeAll(async () => {
  workDirectory = mkdtempSync(join(tmpdir(), "hera-package-"));
  // One after the other: the framework stages every package in the project's .serverless/ before moving it.
  for (const stage of STAGES) packaged[stage] = await packageStage(stage, stage, cleanShell());
  const carelessShell = { ...cleanShell(), ...parseEnv(readFileSync(".env.example", "utf8")), ...PLANTED_SECRETS, ...CARELESS_OVERRIDES };
  prodFromCarelessShell = await packageStage("prod", "prod-careless", carelessShell);
}, 900_000);

afterAll(() => {
  rmSync(workDirectory, { recursive: true, force: true });
  for (const stage of STAGES) rmSync(`.esbuild-cfn-${stage}`, { recursive: true, force: true });
});

const template = (stage: Stage) => packaged[stage].template;
const resources = (stage: Stage = "prod") => template(stage).Resources;
const ofType = (type: string, stage: Stage = "prod") => Object.entries(resources(stage)).filter(([, resource]) => resource.Type === type);
const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const ourFunctions = () => Object.keys(serverlessFunctions());
const logicalIdOf = (functionName: string) => `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}LambdaFunction`;
const variablesOf = (fn: Resource) => (fn.Properties.Environment as { Variables?: Variables } | undefined)?.Variables ?? {};
const param = (stage: Stage, name: string) => stageParams(stage)[name];

/** A resource reference as a readable string: an ARN pattern, `Fn::Sub` text, `GetAtt:Logical.Attribute` or `Ref:Logical`. */
function describeResource(resource: unknown): string {
  if (typeof resource === "string") return resource;
  const object = resource as Record<string, unknown>;
  if (typeof object["Fn::Sub"] === "string") return object["Fn::Sub"];
  if (Array.isArray(object["Fn::GetAtt"])) return `GetAtt:${(object["Fn::GetAtt"] as string[]).join(".")}`;
  if (typeof object.Ref === "string") return `Ref:${object.Ref}`;
  return JSON.stringify(resource);
}

function statementsOf(role: Resource): Statement[] {
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

/** A template with what changes on every packaging (the artifacts' upload folder, named by time) made constant. */
function normalized(packagedStage: Packaged): unknown {
  return JSON.parse(packagedStage.raw.replace(/serverless\/hera-api\/(\w+)\/\d+-[\dT:.Z-]+\//g, "serverless/hera-api/$1/<artifacts>/"));
}

const PARAMETER_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter";
const SESSION_OBJECTS = "${PhotoBucket.Arn}/sessions/*";
const UPLOADS = "${PhotoBucket.Arn}/sessions/*/uploads/*";
const CHECKED_PHOTOS = "${PhotoBucket.Arn}/sessions/*/photo/*";
const IMAGES = "${PhotoBucket.Arn}/sessions/*/images/*";
const REDIS_PARAMETERS = ["/hera/prod/upstash-redis-rest-url", "/hera/prod/upstash-redis-rest-token"];
const GEMINI_PARAMETER = "/hera/prod/gemini-api-key";
const SWITCH_PARAMETERS = ["/hera/prod/images-enabled", "/hera/prod/gemini-chat-enabled"];

// Which actions each function's role holds is proven by the calls the tests make (test/e2e/least-privilege.test.ts:
// the local stack holds every call against these roles, and a whole run fails on a grant no call used). Here: that
// each grant names its one resource.

describe("sls package: the deployer's shell never reaches a stage", () => {
  it("gives prod the same template whether or not the shell holds .env.example, plain secrets and local overrides", () => {
    expect(normalized(prodFromCarelessShell)).toEqual(normalized(packaged.prod));
  });

  it.each(["staging", "prod"] as const)("puts no emulator endpoint, plain secret or shell value in the %s template", (stage) => {
    const raw = packaged[stage].raw;
    for (const value of [
      ...Object.values(PLANTED_SECRETS),
      // The local stack's per-function keys (deploy/local-stack.mjs gives them for `sls offline` alone).
      accessKeyIdOf(""),
      LOCAL_SECRET_ACCESS_KEY,
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "localhost",
      "127.0.0.1",
      "S3RVER",
      "local-dev-token",
      "someone-elses-bucket",
    ]) {
      expect(raw, value).not.toContain(value);
    }
    for (const [name, fn] of ofType("AWS::Lambda::Function", stage)) {
      const variables = variablesOf(fn);
      for (const local of [
        "S3_ENDPOINT",
        "S3_PUBLIC_ENDPOINT",
        "DYNAMODB_ENDPOINT",
        "LAMBDA_ENDPOINT",
        "ALLOWED_ORIGINS",
        // A stage's switches are its SSM parameters, read at run time, never a fixed variable.
        "IMAGES_ENABLED",
        "GEMINI_CHAT_ENABLED",
        ...Object.keys(PLANTED_SECRETS),
      ]) {
        expect(variables, `${name} ${local}`).not.toHaveProperty(local);
      }
      for (const [variable, value] of Object.entries(variables)) expect(value, `${name} ${variable}`).not.toBe("");
    }
  });

  it("takes each stage's settings from its params: limits, providers, log level", () => {
    for (const stage of STAGES) {
      const variables = variablesOf(resources(stage).PostMessageLambdaFunction!);
      expect(variables, stage).toMatchObject({
        STAGE: stage,
        SESSION_TTL_SECONDS: String(param(stage, "sessionTtlSeconds")),
        SESSION_MAX_AGE_SECONDS: String(param(stage, "sessionMaxAgeSeconds")),
        SESSION_CREATE_LIMIT: String(param(stage, "sessionCreateLimit")),
        MESSAGE_LIMIT: String(param(stage, "messageLimit")),
        IMAGE_DAILY_LIMIT: String(param(stage, "imageDailyLimit")),
        IMAGE_JOBS_PER_CLIENT_PER_HOUR: String(param(stage, "imageJobsPerClientPerHour")),
        CHAT_TURNS_PER_CLIENT_PER_HOUR: String(param(stage, "chatTurnsPerClientPerHour")),
        IMAGE_JOBS_PER_DAY: String(param(stage, "imageJobsPerDay")),
        CHAT_TURNS_PER_DAY: String(param(stage, "chatTurnsPerDay")),
        CHAT_PROVIDER: param(stage, "chatProvider"),
        IMAGE_PROVIDER: param(stage, "imageProvider"),
        POWERTOOLS_LOG_LEVEL: param(stage, "logLevel"),
        POWERTOOLS_METRICS_DISABLED: "false",
        UPSTASH_REDIS_REST_URL_PARAMETER: `/hera/${stage}/upstash-redis-rest-url`,
      });
    }
  });

  it("refuses to package with the local stack's build target, naming the variable", async () => {
    const run = await withPackagingLock(() =>
      runSls(["package", "--stage", "staging", "--package", join(workDirectory, "refused")], {
        ...cleanShell(),
        ESBUILD_INSTALL_TARGET: "host",
      }),
    );
    expect(run.code).not.toBe(0);
    expect(run.output).toContain("ESBUILD_INSTALL_TARGET=host");
  });
});

describe("sls package --stage prod: functions and routes", () => {
  it("runs every function on nodejs24.x, arm64", () => {
    const functions = ofType("AWS::Lambda::Function");
    expect(functions.length).toBe(ourFunctions().length + 1); // + the framework's S3-notification custom resource
    for (const [name, fn] of functions) {
      expect(fn.Properties.Runtime, name).toBe("nodejs24.x");
      expect(fn.Properties.Architectures, name).toEqual(["arm64"]);
    }
  });

  it("serves each httpApi route of serverless.yml by its own function, and has the two event functions besides", () => {
    const routes = ofType("AWS::ApiGatewayV2::Route").map(([, route]) => {
      // Target: { "Fn::Join": ["/", ["integrations", { Ref: <integration> }]] }
      const target = (route.Properties.Target as { "Fn::Join": [string, [string, { Ref: string }]] })["Fn::Join"][1][1];
      const integration = resources()[target.Ref];
      const uri = integration?.Properties.IntegrationUri as { "Fn::GetAtt": string[] };
      return { routeKey: route.Properties.RouteKey as string, functionId: uri["Fn::GetAtt"][0] };
    });
    // `{method: "*", path: "*"}` is API Gateway's `$default` route.
    const declared = httpApiRoutes().map((route) => (route.path === "*" ? "$default" : `${route.method} ${route.path}`));
    expect(routes.map((route) => route.routeKey).sort()).toEqual([...declared].sort());
    const routedFunctions = routes.map((route) => route.functionId);
    expect(new Set(routedFunctions).size, "one function per route").toBe(routedFunctions.length);
    expect([...routedFunctions, logicalIdOf("photoUploaded"), logicalIdOf("imageWorker")].sort()).toEqual(
      ourFunctions().map(logicalIdOf).sort(),
    );
  });
});

describe("sls package: log groups", () => {
  it.each(STAGES)(
    "gives every function of %s, the framework's custom resource included, a log group with the stage's retention",
    (stage) => {
      const logGroups = ofType("AWS::Logs::LogGroup", stage).map(([, group]) => group.Properties);
      const functions = ofType("AWS::Lambda::Function", stage);
      expect(functions.map(([, fn]) => fn.Properties.FunctionName)).toContain(`hera-api-${stage}-custom-resource-existing-s3`);
      for (const [name, fn] of functions) {
        const group = logGroups.find((candidate) => candidate.LogGroupName === `/aws/lambda/${String(fn.Properties.FunctionName)}`);
        expect(group, name).toBeDefined();
        expect(group?.RetentionInDays, name).toBe(param(stage, "logRetentionDays"));
      }
      for (const group of logGroups) expect(group.RetentionInDays, String(group.LogGroupName)).toBe(param(stage, "logRetentionDays"));
    },
  );

  it("creates the custom resource's log group before the custom resource's function can write to it", () => {
    const fn = resources().CustomDashresourceDashexistingDashs3LambdaFunction!;
    expect(asArray(fn.DependsOn ?? [])).toContain("CustomDashresourceDashexistingDashs3LogGroup");
  });
});

describe("sls package --stage prod: secrets", () => {
  it("gives each function only the NAMES of the stage's SSM parameters, and lets its role read exactly those", () => {
    const stageParameters = [...REDIS_PARAMETERS, GEMINI_PARAMETER, ...SWITCH_PARAMETERS];
    for (const name of ourFunctions()) {
      const variables = variablesOf(resources()[logicalIdOf(name)]!);
      const named = Object.entries(variables)
        .filter(([key]) => key.endsWith("_PARAMETER"))
        .map(([, value]) => String(value));
      for (const parameter of named) expect(stageParameters, name).toContain(parameter);
      const role = resources()[(resources()[logicalIdOf(name)]!.Properties.Role as { "Fn::GetAtt": [string] })["Fn::GetAtt"][0]]!;
      const granted = statementsOf(role)
        .filter((statement) => asArray(statement.Action).includes("ssm:GetParameter"))
        .flatMap((statement) => asArray(statement.Resource).map((resource) => describeResource(resource).replace(PARAMETER_ARN, "")));
      expect(granted.sort(), name).toEqual(named.sort());
    }
  });
});

describe("sls package --stage prod: one least-privilege role per function", () => {
  const roleOf = (name: string) => {
    const role = resources()[logicalIdOf(name)]?.Properties.Role as { "Fn::GetAtt": [string, string] };
    return role["Fn::GetAtt"][0];
  };

  it("gives every function a role of its own, and leaves the framework's shared role unused and empty", () => {
    const roles = ourFunctions().map(roleOf);
    expect(new Set(roles).size).toBe(roles.length);
    for (const role of roles) expect(resources()[role]?.Type).toBe("AWS::IAM::Role");
    expect(roles).not.toContain("IamRoleLambdaExecution");
    expect(resources().IamRoleLambdaExecution?.Properties.Policies).toEqual([]);
  });

  it("allows no wildcard action and no wildcard resource, in any role of the stack", () => {
    for (const [name, role] of ofType("AWS::IAM::Role")) {
      for (const statement of statementsOf(role)) {
        for (const action of asArray(statement.Action)) expect(action, name).not.toMatch(/\*/);
        for (const resource of asArray(statement.Resource)) {
          // A trailing wildcard inside a named thing is fine (the streams of one log group, the keys under
          // sessions/); the named thing itself must not be a wildcard or a whole resource type.
          // A wildcard for the session id (sessions/*/uploads/*) stands for one segment of a named prefix.
          const named = describeResource(resource)
            .replace("/sessions/*/", "/sessions/{id}/")
            .replace(/([:/]\*)+$/, "");
          expect(named, name).not.toContain("*");
          expect(named, name).not.toMatch(/:(function|parameter|log-group|table)$|^$/);
        }
      }
    }
  });

  it.each(ourFunctions())("lets %s act only on the one resource each grant names", (name) => {
    const statements = statementsOf(resources()[roleOf(name)]!);
    expect(statements.every((statement) => statement.Effect === "Allow")).toBe(true);
    for (const statement of statements) {
      const targets = asArray(statement.Resource).map(describeResource);
      for (const action of asArray(statement.Action)) {
        const [service] = action.split(":");
        if (service === "logs") expect(targets).toEqual([expect.stringContaining(`:log-group:/aws/lambda/hera-api-prod-${name}:`)]);
        else if (service === "ssm")
          for (const target of targets) expect(target).toMatch(/^arn:\$\{AWS::Partition\}:ssm:.*:parameter\/hera\/prod\//);
        else if (action === "s3:ListBucket") expect(targets).toEqual(["GetAtt:PhotoBucket.Arn"]);
        else if (service === "s3")
          for (const target of targets) expect([SESSION_OBJECTS, UPLOADS, CHECKED_PHOTOS, IMAGES]).toContain(target);
        else if (service === "dynamodb") expect(targets).toEqual(["GetAtt:ResultsTable.Arn"]);
        else if (service === "lambda") expect(targets).toEqual(["GetAtt:ImageWorkerLambdaFunction.Arn"]);
        else if (service === "sqs") expect(targets).toEqual(["GetAtt:ImageJobDeadLetterQueue.Arn"]);
        else expect.fail(`${name}: ${action} is not a service this test knows; say here which resource it must name`);
      }
    }
  });

  it("lets the S3-notification custom resource touch only the photo bucket, the photoUploaded function and its own logs", () => {
    const statements = statementsOf(resources().IamRoleCustomResourcesLambdaExecution!);
    const logGroup =
      "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/hera-api-prod-custom-resource-existing-s3";
    expect(statements.flatMap((statement) => asArray(statement.Resource).map(describeResource)).sort()).toEqual(
      [`${logGroup}:*`, `${logGroup}:*:*`, "GetAtt:PhotoBucket.Arn", "GetAtt:PhotoUploadedLambdaFunction.Arn"].sort(),
    );
  });
});

describe("sls package: the photo bucket", () => {
  const bucket = (stage: Stage = "prod") => resources(stage).PhotoBucket!;

  it.each(STAGES)("names the %s bucket from the stage, account and region, never from a variable", (stage) => {
    expect(bucket(stage).Properties.BucketName).toEqual({ "Fn::Sub": `hera-api-photos-${stage}-\${AWS::AccountId}-\${AWS::Region}` });
    for (const [name, fn] of ofType("AWS::Lambda::Function", stage).filter(([id]) => !id.startsWith("CustomDash"))) {
      expect(variablesOf(fn).PHOTO_BUCKET, name).toEqual({ Ref: "PhotoBucket" });
    }
  });

  it("blocks every kind of public access and encrypts by default", () => {
    expect(bucket().Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const encryption = bucket().Properties.BucketEncryption as {
      ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }>;
    };
    expect(["AES256", "aws:kms"]).toContain(encryption.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.SSEAlgorithm);
  });

  it("denies every request that does not use TLS", () => {
    const [, policy] = ofType("AWS::S3::BucketPolicy").find(
      ([, candidate]) => (candidate.Properties.Bucket as { Ref?: string }).Ref === "PhotoBucket",
    )!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const denial = statements.find(
      (statement) => statement.Effect === "Deny" && statement.Condition?.Bool?.["aws:SecureTransport"] === "false",
    );
    expect(denial).toBeDefined();
    expect(asArray(denial!.Action)).toEqual(["s3:*"]);
    expect(denial!.Principal).toBe("*");
    expect(asArray(denial!.Resource).map(describeResource).sort()).toEqual(["${PhotoBucket.Arn}/*", "GetAtt:PhotoBucket.Arn"]);
  });

  it.each(STAGES)(
    "keeps every object under sessions/ of %s as long as the longest session, result and URL that the functions' variables allow",
    (stage) => {
      const rules = (bucket(stage).Properties.LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
      const sessionsRules = rules.filter((rule) => rule.Status === "Enabled" && String(rule.Prefix ?? "").startsWith("sessions"));
      expect(sessionsRules).toHaveLength(1);
      const days = Number(sessionsRules[0]!.ExpirationInDays);
      // The variables every function that hands out a link reads (DOWNLOAD_URL_TTL_SECONDS has its default there).
      for (const name of [
        "GetSessionLambdaFunction",
        "CompleteSessionLambdaFunction",
        "GetResultLambdaFunction",
        "GetPhotoLambdaFunction",
      ]) {
        const variables = variablesOf(resources(stage)[name]!);
        const urlTtl = Number(variables.DOWNLOAD_URL_TTL_SECONDS ?? 600);
        const longest = Number(variables.SESSION_MAX_AGE_SECONDS) + Number(variables.RETENTION_DAYS) * 86_400 + urlTtl;
        expect(days * 86_400, `${stage} ${name}`).toBeGreaterThanOrEqual(longest);
        expect((days - 1) * 86_400, `${stage} ${name}: a day less would do`).toBeLessThan(longest);
      }
    },
  );

  it("sends ObjectCreated on sessions/…/user-photo to photoUploaded, on the bucket it names by Ref", () => {
    const [, notification] = ofType("Custom::S3")[0]!;
    expect(notification.Properties).toMatchObject({
      FunctionName: "hera-api-prod-photoUploaded",
      BucketName: { Ref: "PhotoBucket" },
      BucketConfigs: [{ Event: "s3:ObjectCreated:*", Rules: [{ Prefix: "sessions/" }, { Suffix: "user-photo" }] }],
    });
  });
});

describe("sls package: stateful resources survive mistakes", () => {
  it.each(STAGES)("keeps the %s bucket and table when the stack is deleted or they are replaced, dev alone excepted", (stage) => {
    const expected = stage === "dev" ? "Delete" : "Retain";
    for (const name of ["PhotoBucket", "ResultsTable"]) {
      expect(resources(stage)[name]?.DeletionPolicy, `${stage} ${name}`).toBe(expected);
      expect(resources(stage)[name]?.UpdateReplacePolicy, `${stage} ${name}`).toBe(expected);
    }
  });

  it.each(STAGES)("blocks public access to the framework's deployment bucket of %s", (stage) => {
    expect(resources(stage).ServerlessDeploymentBucket?.Properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
  });

  it("bills the table on demand, expires items by expiresAt, and keeps no point-in-time recovery (an erased result must not live on in a backup)", () => {
    for (const stage of STAGES) {
      const table = resources(stage).ResultsTable!.Properties;
      expect(table.BillingMode).toBe("PAY_PER_REQUEST");
      expect(table.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
      expect(table.PointInTimeRecoverySpecification, stage).toEqual({ PointInTimeRecoveryEnabled: false });
    }
  });
});

describe("sls package: origins, one list per stage", () => {
  it.each(STAGES)("allows the %s origins of params on the HTTP API and on the photo bucket, and nowhere else", (stage) => {
    const origins = param(stage, "allowedOrigins");
    const cors = resources(stage).HttpApi!.Properties.CorsConfiguration as Record<string, string[]>;
    expect(cors.AllowOrigins).toEqual(origins);
    expect(cors.AllowHeaders).toEqual(expect.arrayContaining(["Authorization", "Content-Type"]));
    const rules = (
      resources(stage).PhotoBucket!.Properties.CorsConfiguration as {
        CorsRules: Array<{ AllowedOrigins: string[]; AllowedMethods: string[] }>;
      }
    ).CorsRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.AllowedOrigins).toEqual(origins);
    expect(rules[0]!.AllowedMethods.sort()).toEqual(["GET", "POST"]);
    for (const [name, fn] of ofType("AWS::Lambda::Function", stage)) expect(variablesOf(fn), name).not.toHaveProperty("ALLOWED_ORIGINS");
  });

  it("exposes Retry-After once, from API Gateway (whose CORS headers replace any a function sends)", () => {
    expect((resources().HttpApi!.Properties.CorsConfiguration as Record<string, string[]>).ExposeHeaders).toEqual(["Retry-After"]);
  });

  it("allows a wildcard in dev alone", () => {
    expect(param("dev", "allowedOrigins")).toEqual(["*"]);
    for (const stage of ["staging", "prod"] as const) expect(param(stage, "allowedOrigins")).not.toContain("*");
  });
});

describe("sls package: traffic and spend limits in AWS", () => {
  it.each(STAGES)("throttles every route of the %s API at the stage's rate and burst", (stage) => {
    const settings = resources(stage).HttpApiStage!.Properties.DefaultRouteSettings as Record<string, unknown>;
    expect(settings.ThrottlingRateLimit).toBe(param(stage, "apiThrottleRate"));
    expect(settings.ThrottlingBurstLimit).toBe(param(stage, "apiThrottleBurst"));
  });

  it.each(STAGES)("logs every %s request as one JSON line without a header or the body, to a log group with retention", (stage) => {
    const logs = resources(stage).HttpApiStage!.Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
    expect(logs.DestinationArn).toEqual({ "Fn::GetAtt": ["HttpApiLogGroup", "Arn"] });
    const format = JSON.parse(logs.Format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      routeKey: "$context.routeKey",
      status: "$context.status",
      responseLatency: "$context.responseLatency",
      integrationLatency: "$context.integrationLatency",
      sourceIp: "$context.identity.sourceIp",
    });
    // Never a header (the bearer token), the body, the path (a session id) or a query string.
    expect(logs.Format).not.toMatch(/header|authorization|\$request|body|\$context\.path|querystring/i);
    expect(resources(stage).HttpApiLogGroup?.Properties.RetentionInDays).toBe(param(stage, "logRetentionDays"));
  });

  it.each(STAGES)("caps the %s image worker at the stage's reserved concurrency", (stage) => {
    expect(resources(stage).ImageWorkerLambdaFunction!.Properties.ReservedConcurrentExecutions).toBe(
      param(stage, "imageWorkerConcurrency"),
    );
  });
});

describe("sls package: the image worker's asynchronous delivery", () => {
  it.each(STAGES)("bounds the %s worker's retries and event age, and sends what it could not run to the dead-letter queue", (stage) => {
    const [[, config]] = ofType("AWS::Lambda::EventInvokeConfig", stage) as [[string, Resource]];
    expect(config.Properties).toMatchObject({
      FunctionName: { Ref: "ImageWorkerLambdaFunction" },
      Qualifier: "$LATEST",
      MaximumRetryAttempts: param(stage, "imageWorkerRetries"),
      MaximumEventAgeInSeconds: param(stage, "imageEventMaxAgeSeconds"),
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["ImageJobDeadLetterQueue", "Arn"] } } },
    });
  });

  it("keeps dead letters encrypted, for the retention of params, and only over TLS", () => {
    const queue = resources().ImageJobDeadLetterQueue!;
    expect(queue.Type).toBe("AWS::SQS::Queue");
    expect(queue.Properties).toMatchObject({
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: param("prod", "deadLetterRetentionSeconds"),
    });
    const policy = ofType("AWS::SQS::QueuePolicy").find(
      ([, candidate]) => JSON.stringify(candidate.Properties.Queues) === JSON.stringify([{ Ref: "ImageJobDeadLetterQueue" }]),
    );
    const statements = (policy?.[1].Properties.PolicyDocument as { Statement: Statement[] } | undefined)?.Statement;
    expect(statements).toContainEqual(expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }));
  });
});

describe("sls package: alarms and a dashboard", () => {
  const alarms = (stage: Stage) =>
    Object.fromEntries(
      ofType("AWS::CloudWatch::Alarm", stage).map(([, alarm]) => [String(alarm.Properties.AlarmName), alarm.Properties]),
    ) as Record<string, Record<string, unknown>>;
  const STAGE_ALARMS: Array<[string, string]> = [
    ["api-5xx-rate", "alarmApi5xxPercent"],
    ["dependency-errors", "alarmDependencyErrors"],
    ["images-failed-ratio", "alarmImagesFailedPercent"],
    ["image-jobs-dead-lettered", "alarmDeadLetters"],
    ["results-table-throttles", "alarmTableThrottles"],
  ];

  it.each(STAGES)("sets every %s alarm of the runbook, with the thresholds of params, to the stage's topic", (stage) => {
    const all = alarms(stage);
    for (const [name, threshold] of STAGE_ALARMS) expect(all[`hera-api-${stage}-${name}`]?.Threshold, name).toBe(param(stage, threshold));
    expect(all[`hera-api-${stage}-image-events-lost`]?.Threshold).toBe(1);
    for (const fn of ourFunctions()) {
      expect(all[`hera-api-${stage}-${fn}-errors`]?.Threshold, fn).toBe(param(stage, "alarmFunctionErrors"));
      expect(all[`hera-api-${stage}-${fn}-throttles`]?.Threshold, fn).toBe(param(stage, "alarmFunctionThrottles"));
    }
    expect(Object.keys(all)).toHaveLength(STAGE_ALARMS.length + 3 + 2 * ourFunctions().length);
    for (const [name, alarm] of Object.entries(all)) {
      expect(alarm.AlarmActions, name).toEqual([{ Ref: "AlarmTopic" }]);
      expect(alarm.OKActions, name).toEqual([{ Ref: "AlarmTopic" }]);
      expect(alarm.TreatMissingData, name).toBe("notBreaching");
      expect(String(alarm.AlarmDescription), name).toContain("Runbook");
    }
    expect(resources(stage).AlarmTopic?.Type).toBe("AWS::SNS::Topic");
  });

  it("watches the right metrics: 5xx over requests, ImagesFailed over finished jobs, per stage of the Hera namespace", () => {
    const all = alarms("prod");
    const rate = all["hera-api-prod-api-5xx-rate"]!.Metrics as Array<{
      Id: string;
      Expression?: string;
      MetricStat?: { Metric: { MetricName: string; Dimensions: unknown } };
    }>;
    expect(rate.map((query) => query.MetricStat?.Metric.MetricName ?? query.Expression)).toEqual([
      "5xx",
      "Count",
      expect.stringContaining("100 * FILL(errors, 0) / requests"),
    ]);
    expect(rate[0]!.MetricStat!.Metric.Dimensions).toEqual([{ Name: "ApiId", Value: { Ref: "HttpApi" } }]);
    const images = all["hera-api-prod-images-failed-ratio"]!.Metrics as typeof rate;
    expect(images.map((query) => query.MetricStat?.Metric.MetricName ?? "expression")).toEqual([
      "ImagesFailed",
      "ImagesGenerated",
      "expression",
    ]);
    expect(images[0]!.MetricStat!.Metric.Dimensions).toEqual([
      { Name: "service", Value: "hera-api" },
      { Name: "stage", Value: "prod" },
    ]);
    expect(all["hera-api-prod-dependency-errors"]).toMatchObject({ Namespace: "Hera", MetricName: "DependencyErrors" });
    expect(all["hera-api-prod-imageWorker-throttles"]).toMatchObject({
      Namespace: "AWS/Lambda",
      MetricName: "Throttles",
      Dimensions: [{ Name: "FunctionName", Value: { Ref: "ImageWorkerLambdaFunction" } }],
    });
  });

  it.each(STAGES)("warns of the %s daily budgets at alarmBudgetPercent of each, before the cap refuses", (stage) => {
    const all = alarms(stage);
    for (const [name, metric, budget] of [
      ["image-budget", "ImageJobsToday", "imageJobsPerDay"],
      ["chat-budget", "ChatTurnsToday", "chatTurnsPerDay"],
    ] as const) {
      const cap = param(stage, budget) as number;
      const at = Math.ceil((cap * (param(stage, "alarmBudgetPercent") as number)) / 100);
      expect(at).toBeLessThan(cap);
      expect(all[`hera-api-${stage}-${name}`], name).toMatchObject({
        Namespace: "Hera",
        MetricName: metric,
        Statistic: "Maximum",
        Threshold: at,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        Dimensions: [
          { Name: "service", Value: "hera-api" },
          { Name: "stage", Value: stage },
        ],
      });
    }
  });

  it("subscribes the alarm e-mail to the topic only when params give one", () => {
    const subscription = resources().AlarmEmailSubscription!;
    expect(subscription.Condition).toBe("HasAlarmEmail");
    expect(subscription.Properties).toEqual({ TopicArn: { Ref: "AlarmTopic" }, Protocol: "email", Endpoint: { Ref: "AlarmEmail" } });
    expect(template("prod").Parameters?.AlarmEmail).toMatchObject({ Type: "String", Default: param("prod", "alarmEmail") });
    expect(template("prod").Conditions?.HasAlarmEmail).toEqual({ "Fn::Not": [{ "Fn::Equals": [{ Ref: "AlarmEmail" }, ""] }] });
  });

  it.each(STAGES)("draws a %s dashboard of the API, every function, the worker's queue and the Hera metrics", (stage) => {
    const body = (resources(stage).Dashboard!.Properties.DashboardBody as { "Fn::Sub": string })["Fn::Sub"];
    const dashboard = JSON.parse(body) as { widgets: Array<{ properties: { title: string; metrics?: unknown[][] } }> };
    const metrics = dashboard.widgets.flatMap((widget) => widget.properties.metrics ?? []).map((metric) => metric.slice(0, 2).join(" "));
    for (const expected of [
      "AWS/ApiGateway 5xx",
      "AWS/ApiGateway Latency",
      "Hera DependencyErrors",
      "Hera ImagesFailed",
      "AWS/SQS ApproximateNumberOfMessagesVisible",
      "AWS/Lambda AsyncEventsDropped",
    ]) {
      expect(metrics, expected).toContain(expected);
    }
    for (const fn of ourFunctions()) expect(body, fn).toContain(`\${${logicalIdOf(fn)}}`);
    const references = [...body.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]!.split(".")[0]!);
    for (const reference of references) expect(reference.startsWith("AWS::") || reference in resources(stage), reference).toBe(true);
  });
});

describe("deploy/deploy-role-policy.json: what the deploy role of docs/operations.md may do", () => {
  const policy = JSON.parse(readFileSync("deploy/deploy-role-policy.json", "utf8")) as { Statement: Statement[] };
  const actions = policy.Statement.flatMap((statement) => asArray(statement.Action));
  // The service that creates each kind of resource the templates hold (a custom resource is a function invoked).
  const serviceOf = (type: string) => {
    if (type === "Custom::S3") return "lambda";
    const namespace = type.split("::")[1]!;
    return namespace === "ApiGatewayV2" ? "apigateway" : namespace.toLowerCase();
  };

  it("names every action (no wildcard) and only allows", () => {
    expect(policy.Statement.every((statement) => statement.Effect === "Allow")).toBe(true);
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
  });

  it("covers every service whose resources a stage's template creates, CloudFormation's and the secret check's", () => {
    const services = new Set(actions.map((action) => action.split(":")[0]));
    for (const stage of STAGES) {
      for (const [name, resource] of Object.entries(resources(stage)))
        expect(services.has(serviceOf(resource.Type)), `${name} ${resource.Type}`).toBe(true);
    }
    expect(actions).toEqual(
      expect.arrayContaining([
        "cloudformation:CreateChangeSet",
        "cloudformation:ExecuteChangeSet",
        "iam:PassRole",
        "ssm:DescribeParameters",
        "lambda:InvokeFunction",
      ]),
    );
    // The secret check never reads a value; CloudFormation reads the switches it keeps (their values are no secret).
    expect(actions).not.toContain("ssm:GetParameter");
    for (const statement of policy.Statement.filter((s) => asArray(s.Action).includes("ssm:GetParameters")))
      for (const resource of asArray(statement.Resource))
        expect(resource).toMatch(/:parameter\/hera\/\*\/(images-enabled|gemini-chat-enabled)$/);
  });

  it("scopes what it can to this service's names", () => {
    for (const statement of policy.Statement) {
      for (const resource of asArray(statement.Resource).map(describeResource)) {
        if (resource === "*") continue;
        // AWS's own Parameters and Secrets extension layer, which the functions with secrets carry, is the one exception.
        expect(resource).toMatch(
          /hera-api-|\/apis|\/tags\/|aws-service-role\/ops\.apigateway|layer:AWS-Parameters-and-Secrets-Lambda-Extension|parameter\/hera\/\*\/(images-enabled|gemini-chat-enabled)$/,
        );
      }
    }
  });
});

describe("a deploy role that cannot escalate: permissions boundaries", () => {
  const policy = JSON.parse(readFileSync("deploy/deploy-role-policy.json", "utf8")) as { Statement: Statement[] };
  const ROLE_WRITES = [
    "iam:CreateRole",
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:PutRolePermissionsBoundary",
  ];
  const BOUNDARY_CHANGES = ["iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion"];
  const boundaryOf = (stage: Stage) => `arn:aws:iam::*:policy/hera-api-${stage}-function-boundary`;

  it.each(STAGES)("creates every %s role with the stage's boundary, a managed policy of the template", (stage) => {
    const roles = ofType("AWS::IAM::Role", stage);
    expect(roles.length).toBeGreaterThan(ourFunctions().length);
    for (const [name, role] of roles) expect(role.Properties.PermissionsBoundary, name).toEqual({ Ref: "FunctionPermissionsBoundary" });
    const boundary = resources(stage).FunctionPermissionsBoundary!;
    expect(boundary.Type).toBe("AWS::IAM::ManagedPolicy");
    expect(boundary.Properties.ManagedPolicyName).toBe(`hera-api-${stage}-function-boundary`);
  });

  it("bounds the functions to what their roles are given, on this stage's resources only", () => {
    const boundary = (resources().FunctionPermissionsBoundary!.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const allowed = new Set(boundary.flatMap((statement) => asArray(statement.Action)));
    for (const statement of boundary) {
      expect(statement.Effect).toBe("Allow");
      for (const action of asArray(statement.Action)) expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
      for (const resource of asArray(statement.Resource).map(describeResource)) {
        expect(resource).toMatch(/prod|PhotoBucket\.Arn|hera-api-results-prod/);
        expect(resource.replace(/([:/]\*)+$/, "").replace(/-\*$/, "")).not.toContain("*");
      }
    }
    // Every action a role of the stack is given lies inside the boundary (else the role could not use it).
    for (const [name, role] of ofType("AWS::IAM::Role"))
      for (const statement of statementsOf(role))
        for (const action of asArray(statement.Action)) expect(allowed.has(action), `${name} ${action}`).toBe(true);
    expect([...allowed].some((action) => action.startsWith("iam:"))).toBe(false);
  });

  it("lets the deploy role create and change roles only with a stage's boundary, and never change or delete a boundary", () => {
    for (const statement of policy.Statement) {
      const actions = asArray(statement.Action);
      for (const action of actions) {
        expect(action).not.toMatch(/^\*$|^iam:\*|\*$/);
        expect(BOUNDARY_CHANGES).not.toContain(action);
        expect(action).not.toBe("iam:DeleteRolePermissionsBoundary");
      }
      if (actions.some((action) => ROLE_WRITES.includes(action))) {
        expect(statement.Condition, statement.Action.toString()).toEqual({
          StringLike: { "iam:PermissionsBoundary": STAGES.map(boundaryOf) },
        });
        // Only role writes in a statement under the condition: one that needs no boundary must not hide among them.
        expect(actions.every((action) => ROLE_WRITES.includes(action))).toBe(true);
      }
      if (actions.includes("iam:CreatePolicy")) expect(asArray(statement.Resource).sort()).toEqual(STAGES.map(boundaryOf).sort());
    }
    const granted = policy.Statement.flatMap((statement) => asArray(statement.Action));
    for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary", "iam:CreatePolicy"])
      expect(granted).toContain(action);
  });
});

// cfn-lint (on this machine's image; `pip install cfn-lint` elsewhere) finds no error in any stage's template.
// Its warnings that stay come from what the framework writes, not from serverless.yml, each for the reason given.
const FRAMEWORK_WARNINGS: Array<{ rule: string; resource: RegExp; reason: string }> = [
  {
    rule: "W3005",
    resource: /^(\w+LambdaFunction|HttpApiRoute\w+|HttpApiStage|PhotoUploadedCustomS31)$/,
    reason:
      "the framework writes DependsOn beside the Ref or GetAtt it also writes (function → role, route → integration, " +
      "stage → log group, custom resource → its function); harmless",
  },
];
const cfnLint = spawnSync("cfn-lint", ["--version"], { encoding: "utf8" });
const cfnLintAvailable = cfnLint.status === 0;
if (!cfnLintAvailable && process.env.CI !== "true") console.warn("cfn-lint is not installed: its test is skipped (pip install cfn-lint)");

describe.skipIf(!cfnLintAvailable && process.env.CI !== "true")("cfn-lint on every stage's template", () => {
  it.each(STAGES)("finds no error in %s, and only the framework's warnings listed here", (stage) => {
    if (!cfnLintAvailable) throw new Error("cfn-lint is required under CI=true (pip install cfn-lint)");
    const run = spawnSync(
      "cfn-lint",
      ["--format", "json", "--", join(packaged[stage].directory, "cloudformation-template-update-stack.json")],
      {
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const findings = JSON.parse(run.stdout || "[]") as Array<{
      Level: string;
      Message: string;
      Rule: { Id: string };
      Location: { Path: Array<string | number> };
    }>;
    const unexplained = findings.filter((finding) => {
      const resource = String(finding.Location.Path[1] ?? "");
      return !FRAMEWORK_WARNINGS.some(
        (known) => finding.Level === "Warning" && finding.Rule.Id === known.rule && known.resource.test(resource),
      );
    });
    expect(
      unexplained.map((finding) => `${finding.Level} ${finding.Rule.Id} ${finding.Location.Path.join("/")}: ${finding.Message}`),
    ).toEqual([]);
  });
});

describe("sls package --stage prod: the Parameters and Secrets extension", () => {
  const LAYER = /^arn:aws:lambda:ap-northeast-1:133490724326:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/;

  it("is attached to every function that reads a secret, and to no other", () => {
    for (const name of ourFunctions()) {
      const layers = (resources()[logicalIdOf(name)]?.Properties.Layers as string[] | undefined) ?? [];
      const readsSecrets = Object.keys(variablesOf(resources()[logicalIdOf(name)]!)).some((key) => key.endsWith("_PARAMETER"));
      if (!readsSecrets) expect(layers, name).toEqual([]);
      else expect(layers, name).toEqual([expect.stringMatching(LAYER)]);
    }
  });
});
