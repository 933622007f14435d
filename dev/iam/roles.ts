// The functions' roles as `sls package` makes them (serverless-iam-roles-per-function's per-function roles in the
// CloudFormation template), with every CloudFormation function resolved against the local stack's names, so that
// the local checks hold a request against exactly what AWS would be given.

import type { PolicyStatement } from "./policy.ts";

/** A CloudFormation resource as the packaged template holds it. */
interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
}

/** The packaged template (cloudformation-template-update-stack.json), as far as the roles need it. */
export interface PackagedTemplate {
  Resources: Record<string, TemplateResource>;
}

/** Where the local stack runs: the pseudo parameters, and the plain names the emulators give resources. */
export interface LocalNames {
  region: string;
  accountId: string;
  /** Plain names of resources whose template name the emulators cannot use (serverless.yml custom.localStack.bucketNames). */
  names: Record<string, string>;
}

/** One function's role: its deployed name, the role's logical id, and its statements resolved to local ARNs. */
export interface FunctionRole {
  functionName: string;
  logicalId: string;
  roleLogicalId: string;
  statements: PolicyStatement[];
  /** Its environment, resolved (the parameter names the secrets extension reads with the role). */
  environment: Record<string, string>;
  /** The ARN of its asynchronous invocations' on-failure destination, which Lambda sends to with the role. */
  onFailureDestination?: string | undefined;
}

// How each kind of resource is named and what its ARN is. A resource of a type not listed here cannot be resolved:
// add its type here (its name property, and its ARN from that name).
const RESOURCE_TYPES: Record<
  string,
  { nameProperty: string; arn(name: string, local: LocalNames): string; ref?(name: string, local: LocalNames): string }
> = {
  "AWS::S3::Bucket": { nameProperty: "BucketName", arn: (name) => `arn:aws:s3:::${name}` },
  "AWS::DynamoDB::Table": {
    nameProperty: "TableName",
    arn: (name, local) => `arn:aws:dynamodb:${local.region}:${local.accountId}:table/${name}`,
  },
  "AWS::Lambda::Function": {
    nameProperty: "FunctionName",
    arn: (name, local) => `arn:aws:lambda:${local.region}:${local.accountId}:function:${name}`,
  },
  "AWS::SQS::Queue": {
    nameProperty: "QueueName",
    arn: (name, local) => `arn:aws:sqs:${local.region}:${local.accountId}:${name}`,
    ref: (name, local) => `https://sqs.${local.region}.amazonaws.com/${local.accountId}/${name}`,
  },
  "AWS::SNS::Topic": {
    nameProperty: "TopicName",
    arn: (name, local) => `arn:aws:sns:${local.region}:${local.accountId}:${name}`,
    ref: (name, local) => `arn:aws:sns:${local.region}:${local.accountId}:${name}`,
  },
  "AWS::IAM::Role": { nameProperty: "RoleName", arn: (name, local) => `arn:aws:iam::${local.accountId}:role/${name}` },
};

/** Resolves CloudFormation's functions (Ref, Fn::GetAtt, Fn::Sub, Fn::Join) in a template value, against local names. */
export class TemplateResolver {
  constructor(
    private readonly template: PackagedTemplate,
    private readonly local: LocalNames,
  ) {}

  /** The value with every CloudFormation function in it resolved; throws naming what it cannot resolve. */
  resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolve(item));
    if (typeof value !== "object" || value === null) return value;
    const entries = Object.entries(value);
    const [key, argument] = entries[0] ?? [];
    if (entries.length === 1 && key === "Ref") return this.ref(String(argument));
    if (entries.length === 1 && key === "Fn::GetAtt") {
      const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split(/\.(.*)/s);
      return this.getAtt(logicalId ?? "", attribute ?? "");
    }
    if (entries.length === 1 && key === "Fn::Sub") return this.sub(argument);
    if (entries.length === 1 && key === "Fn::Join") {
      const [separator, list] = argument as [string, unknown[]];
      return (this.resolve(list) as unknown[]).map(String).join(separator);
    }
    if (entries.length === 1 && key?.startsWith("Fn::")) throw new Error(`${key} is not resolved by the local stack (dev/iam/roles.ts)`);
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolve(item)]));
  }

  /** The local name of a resource (what Ref gives for most types). */
  nameOf(logicalId: string): string {
    const local = this.local.names[logicalId];
    if (local) return local;
    const resource = this.resource(logicalId);
    const type = this.type(logicalId, resource);
    const name = resource.Properties?.[type.nameProperty];
    if (name === undefined) throw new Error(`${logicalId} (${resource.Type}) has no ${type.nameProperty} to name it locally`);
    return String(this.resolve(name));
  }

  private ref(name: string): string {
    const pseudo: Record<string, string> = {
      "AWS::Region": this.local.region,
      "AWS::AccountId": this.local.accountId,
      "AWS::Partition": "aws",
      "AWS::URLSuffix": "amazonaws.com",
      "AWS::StackName": "local",
    };
    if (pseudo[name] !== undefined) return pseudo[name];
    const resource = this.resource(name);
    const type = this.type(name, resource);
    return type.ref ? type.ref(this.nameOf(name), this.local) : this.nameOf(name);
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute !== "Arn") throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not resolved by the local stack (only Arn)`);
    const resource = this.resource(logicalId);
    return this.type(logicalId, resource).arn(this.nameOf(logicalId), this.local);
  }

  private sub(argument: unknown): string {
    const [text, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
    return text.replace(/\$\{([^}]+)\}/g, (_whole, name: string) => {
      if (name.startsWith("!")) return `\${${name.slice(1)}}`;
      if (name in variables) return String(this.resolve(variables[name]));
      const [logicalId, attribute] = name.split(/\.(.*)/s);
      return attribute ? this.getAtt(logicalId ?? "", attribute) : this.ref(name);
    });
  }

  private resource(logicalId: string): TemplateResource {
    const resource = this.template.Resources[logicalId];
    if (!resource) throw new Error(`The template has no resource ${logicalId}`);
    return resource;
  }

  private type(logicalId: string, resource: TemplateResource) {
    const type = RESOURCE_TYPES[resource.Type];
    if (!type)
      throw new Error(
        `${logicalId} is a ${resource.Type}, which the local stack cannot name: add it to RESOURCE_TYPES in dev/iam/roles.ts`,
      );
    return type;
  }
}

interface RolePolicy {
  PolicyDocument?: { Statement?: PolicyStatement[] };
}

/** Every function of the template with its own role's statements, resolved against the local names. */
export function functionRoles(template: PackagedTemplate, local: LocalNames): Map<string, FunctionRole> {
  const resolver = new TemplateResolver(template, local);
  const roles = new Map<string, FunctionRole>();
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    const role = resource.Properties?.Role as { "Fn::GetAtt"?: [string, string] } | undefined;
    const roleLogicalId = role?.["Fn::GetAtt"]?.[0];
    if (!roleLogicalId) continue;
    const policies = (template.Resources[roleLogicalId]?.Properties?.Policies ?? []) as RolePolicy[];
    const statements = policies
      .flatMap((policy) => policy.PolicyDocument?.Statement ?? [])
      .map((statement) => resolver.resolve(statement) as PolicyStatement);
    const variables = (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
    const environment = Object.fromEntries(Object.entries(variables).map(([name, value]) => [name, String(resolver.resolve(value))]));
    const functionName = resolver.nameOf(logicalId);
    roles.set(functionName, {
      functionName,
      logicalId,
      roleLogicalId,
      statements,
      environment,
      onFailureDestination: onFailureOf(template, resolver, logicalId),
    });
  }
  return roles;
}

function onFailureOf(template: PackagedTemplate, resolver: TemplateResolver, functionLogicalId: string): string | undefined {
  for (const resource of Object.values(template.Resources)) {
    if (resource.Type !== "AWS::Lambda::EventInvokeConfig") continue;
    const target = resource.Properties?.FunctionName as { Ref?: string } | undefined;
    if (target?.Ref !== functionLogicalId) continue;
    const destination = (resource.Properties?.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)?.OnFailure
      ?.Destination;
    return destination === undefined ? undefined : String(resolver.resolve(destination));
  }
  return undefined;
}
