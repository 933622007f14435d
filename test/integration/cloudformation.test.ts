import { beforeAll, describe, expect, it } from "vitest";
import { httpApiRoutes } from "../helpers/serverless-config.ts";
import { packagedStage, PLANTED_SECRETS } from "../helpers/packaged-stage.ts";

// `sls package` for a stage, offline (no AWS account); its CloudFormation template is what `sls deploy` would send. The
// deployer's shell holds plain secrets here, as a careless one might: none of them may reach the template.

interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[] | string;
}
interface Template {
  Resources: Record<string, Resource>;
  Outputs: Record<string, unknown>;
}
interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, string>>;
}

async function packageStage(stage: string): Promise<{ template: Template; raw: string }> {
  const { raw } = await packagedStage(stage);
  return { template: JSON.parse(raw) as Template, raw };
}

const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** A resource reference as a readable string: an ARN pattern, `Fn::Sub` text, or `GetAtt:Logical.Attribute`. */
function describeResource(resource: unknown): string {
  if (typeof resource === "string") return resource;
  const object = resource as Record<string, unknown>;
  if (typeof object["Fn::Sub"] === "string") return object["Fn::Sub"];
  if (Array.isArray(object["Fn::GetAtt"])) return `GetAtt:${(object["Fn::GetAtt"] as string[]).join(".")}`;
  return JSON.stringify(resource);
}

function statementsOf(role: Resource): Statement[] {
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }>;
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
}

const PARAMETER_ARN = "arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter";
const SESSION_OBJECTS = "${PhotoBucket.Arn}/sessions/*";
const REDIS_PARAMETERS = ["/hera/prod/upstash-redis-rest-url", "/hera/prod/upstash-redis-rest-token"];
const GEMINI_PARAMETER = "/hera/prod/gemini-api-key";

// What each function's code calls (besides writing its own logs), and the secrets it reads.
const EXPECTED_PERMISSIONS: Record<string, { actions: string[]; parameters: string[] }> = {
  createSession: { actions: ["ssm:GetParameter"], parameters: REDIS_PARAMETERS },
  getSession: { actions: ["ssm:GetParameter", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"], parameters: REDIS_PARAMETERS },
  postMessage: { actions: ["ssm:GetParameter"], parameters: [...REDIS_PARAMETERS, GEMINI_PARAMETER] },
  requestPhotoUpload: { actions: ["ssm:GetParameter", "s3:PutObject", "s3:DeleteObject"], parameters: REDIS_PARAMETERS },
  getPhoto: { actions: ["ssm:GetParameter", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"], parameters: REDIS_PARAMETERS },
  photoUploaded: { actions: ["ssm:GetParameter", "s3:GetObject", "s3:DeleteObject", "s3:ListBucket"], parameters: REDIS_PARAMETERS },
  completeSession: { actions: ["ssm:GetParameter", "s3:GetObject", "dynamodb:PutItem", "dynamodb:GetItem"], parameters: REDIS_PARAMETERS },
  getResult: { actions: ["s3:GetObject", "dynamodb:GetItem"], parameters: [] },
  deleteSession: {
    actions: ["ssm:GetParameter", "s3:DeleteObject", "s3:ListBucket", "dynamodb:GetItem", "dynamodb:DeleteItem"],
    parameters: REDIS_PARAMETERS,
  },
  requestImage: { actions: ["ssm:GetParameter", "s3:GetObject", "lambda:InvokeFunction"], parameters: REDIS_PARAMETERS },
  imageWorker: {
    actions: ["ssm:GetParameter", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"],
    parameters: [...REDIS_PARAMETERS, GEMINI_PARAMETER],
  },
  health: { actions: ["ssm:GetParameter", "s3:ListBucket", "dynamodb:DescribeTable"], parameters: REDIS_PARAMETERS },
  openapi: { actions: [], parameters: [] },
};
const LOG_ACTIONS = ["logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents"];

const logicalIdOf = (functionName: string) => `${functionName.charAt(0).toUpperCase()}${functionName.slice(1)}LambdaFunction`;

let prod: { template: Template; raw: string };
let dev: { template: Template; raw: string };

beforeAll(async () => {
  prod = await packageStage("prod");
  dev = await packageStage("dev");
}, 600_000);

const resources = () => prod.template.Resources;
const ofType = (type: string, template = prod.template) => Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
const ourFunctions = () => Object.keys(EXPECTED_PERMISSIONS);

describe("sls package --stage prod: functions and routes", () => {
  it("runs every function on nodejs22.x, arm64", () => {
    const functions = ofType("AWS::Lambda::Function");
    expect(functions.length).toBe(ourFunctions().length + 1); // + the framework's S3-notification custom resource
    for (const [name, fn] of functions) {
      expect(fn.Properties.Runtime, name).toBe("nodejs22.x");
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
    const declared = httpApiRoutes().map((route) => `${route.method} ${route.path}`);
    expect(routes.map((route) => route.routeKey).sort()).toEqual([...declared].sort());
    const routedFunctions = routes.map((route) => route.functionId);
    expect(new Set(routedFunctions).size, "one function per route").toBe(routedFunctions.length);
    expect([...routedFunctions, logicalIdOf("photoUploaded"), logicalIdOf("imageWorker")].sort()).toEqual(ourFunctions().map(logicalIdOf).sort());
  });

  it("keeps every function's logs for the stage's retention (30 days in prod, 7 in dev)", () => {
    for (const name of ourFunctions()) {
      const logGroup = resources()[`${logicalIdOf(name).replace(/LambdaFunction$/, "")}LogGroup`];
      expect(logGroup?.Properties.LogGroupName, name).toBe(`/aws/lambda/hera-api-prod-${name}`);
      expect(logGroup?.Properties.RetentionInDays, name).toBe(30);
    }
    for (const [, logGroup] of ofType("AWS::Logs::LogGroup", dev.template)) expect(logGroup.Properties.RetentionInDays).toBe(7);
  });
});

describe("sls package --stage prod: secrets", () => {
  it("puts no secret value in the template, whatever the deployer's shell holds", () => {
    for (const value of Object.values(PLANTED_SECRETS)) expect(prod.raw).not.toContain(value);
    for (const [name, fn] of ofType("AWS::Lambda::Function")) {
      const variables = (fn.Properties.Environment as { Variables?: Record<string, string> } | undefined)?.Variables ?? {};
      for (const secret of Object.keys(PLANTED_SECRETS)) expect(variables, `${name} ${secret}`).not.toHaveProperty(secret);
    }
  });

  it("gives each function only the NAMES of the SSM parameters it reads", () => {
    for (const [name, expected] of Object.entries(EXPECTED_PERMISSIONS)) {
      const variables = (resources()[logicalIdOf(name)]?.Properties.Environment as { Variables: Record<string, string> }).Variables;
      const named = Object.entries(variables).filter(([key]) => key.endsWith("_PARAMETER")).map(([, value]) => value);
      expect(named.sort(), name).toEqual([...expected.parameters].sort());
    }
  });
});

describe("sls package --stage prod: the Parameters and Secrets extension", () => {
  const LAYER = /^arn:aws:lambda:ap-northeast-1:133490724326:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:\d+$/;

  it("is attached to every function that reads a secret, and to no other", () => {
    for (const [name, expected] of Object.entries(EXPECTED_PERMISSIONS)) {
      const layers = (resources()[logicalIdOf(name)]?.Properties.Layers as string[] | undefined) ?? [];
      if (expected.parameters.length === 0) expect(layers, name).toEqual([]);
      else expect(layers, name).toEqual([expect.stringMatching(LAYER)]);
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
          const named = describeResource(resource).replace(/([:/]\*)+$/, "");
          expect(named, name).not.toContain("*");
          expect(named, name).not.toMatch(/:(function|parameter|log-group|table)$|^$/);
        }
      }
    }
  });

  it.each(Object.entries(EXPECTED_PERMISSIONS))("lets %s do exactly what its code calls, on the resources it touches", (name, expected) => {
    const statements = statementsOf(resources()[roleOf(name)]!);
    expect(statements.every((statement) => statement.Effect === "Allow")).toBe(true);
    const actions = statements.flatMap((statement) => asArray(statement.Action));
    expect(new Set(actions)).toEqual(new Set([...LOG_ACTIONS, ...expected.actions]));

    const parameters: string[] = [];
    for (const statement of statements) {
      const targets = asArray(statement.Resource).map(describeResource);
      for (const action of asArray(statement.Action)) {
        const [service] = action.split(":");
        if (service === "logs") expect(targets).toEqual([expect.stringContaining(`:log-group:/aws/lambda/hera-api-prod-${name}:`)]);
        if (service === "ssm") parameters.push(...targets.map((target) => target.replace(PARAMETER_ARN, "")));
        if (action === "s3:ListBucket") expect(targets).toEqual(["GetAtt:PhotoBucket.Arn"]);
        else if (service === "s3") expect(targets).toEqual([SESSION_OBJECTS]);
        if (service === "dynamodb") expect(targets).toEqual(["GetAtt:ResultsTable.Arn"]);
        if (service === "lambda") expect(targets).toEqual(["GetAtt:ImageWorkerLambdaFunction.Arn"]);
      }
    }
    expect(parameters.sort()).toEqual([...expected.parameters].sort());
  });

  it("lets the S3-notification custom resource touch only the photo bucket and the photoUploaded function", () => {
    const statements = statementsOf(resources().IamRoleCustomResourcesLambdaExecution!);
    expect(statements.flatMap((statement) => asArray(statement.Resource).map(describeResource)).sort()).toEqual([
      "GetAtt:PhotoBucket.Arn",
      "GetAtt:PhotoUploadedLambdaFunction.Arn",
    ]);
  });
});

describe("sls package --stage prod: the photo bucket", () => {
  const bucket = () => resources().PhotoBucket!.Properties;

  it("blocks every kind of public access and encrypts by default", () => {
    expect(bucket().PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const encryption = bucket().BucketEncryption as { ServerSideEncryptionConfiguration: Array<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }> };
    expect(["AES256", "aws:kms"]).toContain(encryption.ServerSideEncryptionConfiguration[0]?.ServerSideEncryptionByDefault.SSEAlgorithm);
  });

  it("denies every request that does not use TLS", () => {
    const [, policy] = ofType("AWS::S3::BucketPolicy").find(([, candidate]) => (candidate.Properties.Bucket as { Ref?: string }).Ref === "PhotoBucket")!;
    const statements = (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement;
    const denial = statements.find((statement) => statement.Effect === "Deny" && statement.Condition?.Bool?.["aws:SecureTransport"] === "false");
    expect(denial).toBeDefined();
    expect(asArray(denial!.Action)).toEqual(["s3:*"]);
    expect(denial!.Principal).toBe("*");
    expect(asArray(denial!.Resource).map(describeResource).sort()).toEqual(["${PhotoBucket.Arn}/*", "GetAtt:PhotoBucket.Arn"]);
  });

  it("expires everything under sessions/ after RETENTION_DAYS", () => {
    const rules = (bucket().LifecycleConfiguration as { Rules: Array<Record<string, unknown>> }).Rules;
    expect(rules).toContainEqual(expect.objectContaining({ Status: "Enabled", Prefix: "sessions/", ExpirationInDays: 7 }));
    const variables = (resources().GetSessionLambdaFunction!.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables.RETENTION_DAYS).toBe("7");
  });

  it("lets only the stage's origins post the presigned form and read pictures", () => {
    const rules = (bucket().CorsConfiguration as { CorsRules: Array<{ AllowedOrigins: string[]; AllowedMethods: string[] }> }).CorsRules;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.AllowedOrigins).toEqual(["https://hera.example"]);
    expect(rules[0]!.AllowedMethods.sort()).toEqual(["GET", "POST"]);
  });

  it("sends ObjectCreated on sessions/…/user-photo to photoUploaded, once the bucket exists", () => {
    const [, notification] = ofType("Custom::S3")[0]!;
    expect(notification.Properties).toMatchObject({
      FunctionName: "hera-api-prod-photoUploaded",
      BucketName: "hera-api-photos-prod",
      BucketConfigs: [{ Event: "s3:ObjectCreated:*", Rules: [{ Prefix: "sessions/" }, { Suffix: "user-photo" }] }],
    });
    expect(asArray(notification.DependsOn ?? [])).toContain("PhotoBucket");
  });
});

describe("sls package: the results table and the HTTP API per stage", () => {
  it("bills the table on demand, expires items by expiresAt, and keeps point-in-time recovery in prod only", () => {
    const table = resources().ResultsTable!.Properties;
    expect(table.BillingMode).toBe("PAY_PER_REQUEST");
    expect(table.TimeToLiveSpecification).toEqual({ AttributeName: "expiresAt", Enabled: true });
    expect(table.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(dev.template.Resources.ResultsTable!.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
  });

  it("allows only the stage's origins on the HTTP API (a wildcard in dev alone)", () => {
    const cors = resources().HttpApi!.Properties.CorsConfiguration as Record<string, string[]>;
    expect(cors.AllowOrigins).toEqual(["https://hera.example"]);
    expect(cors.AllowHeaders).toEqual(expect.arrayContaining(["Authorization", "Content-Type"]));
    expect(cors.ExposeHeaders).toContain("Retry-After");
    const variables = (resources().GetSessionLambdaFunction!.Properties.Environment as { Variables: Record<string, string> }).Variables;
    expect(variables.ALLOWED_ORIGINS).toBe("https://hera.example");
    expect((dev.template.Resources.HttpApi!.Properties.CorsConfiguration as Record<string, string[]>).AllowOrigins).toEqual(["*"]);
  });
});
