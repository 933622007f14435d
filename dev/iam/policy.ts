// IAM policy evaluation for the local stack, as AWS evaluates an identity-based policy: an explicit Deny wins, then
// an Allow whose action, resource and conditions all match, else the call is implicitly denied. Only what the
// functions' roles can hold is evaluated; a condition operator this does not know denies, naming itself, rather than
// guessing (AWS would evaluate it; a guess could allow what AWS refuses).

/** One statement of a role, its CloudFormation functions already resolved to local names. */
export interface PolicyStatement {
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean | number>>;
}

/** One AWS call as IAM sees it: the action, the resource ARN and the request's condition keys. */
export interface AwsCall {
  action: string;
  resource: string;
  /** Condition keys of the request (s3:prefix, aws:SecureTransport, ...). */
  context?: Record<string, string>;
}

/** Which statement allowed a call, and with which of its action and resource patterns (a grant). */
export interface Grant {
  statement: number;
  action: string;
  resource: string;
}

export type Decision = { allowed: true; grant: Grant } | { allowed: false; reason: "implicit" | "explicit"; detail?: string | undefined };

const asList = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** IAM's wildcards: `*` any run of characters, `?` one character; the rest literal. */
export function wildcardMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`, ignoreCase ? "is" : "s").test(value);
}

type ConditionTest = (actual: string | undefined, expected: string) => boolean;

// The operators a role may use here. Add one with its AWS meaning; an operator not listed denies with its name.
const CONDITION_OPERATORS: Record<string, ConditionTest> = {
  StringEquals: (actual, expected) => actual === expected,
  StringNotEquals: (actual, expected) => actual !== expected,
  StringEqualsIgnoreCase: (actual, expected) => actual?.toLowerCase() === expected.toLowerCase(),
  StringLike: (actual, expected) => actual !== undefined && wildcardMatches(expected, actual),
  StringNotLike: (actual, expected) => actual === undefined || !wildcardMatches(expected, actual),
  ArnEquals: (actual, expected) => actual === expected,
  ArnLike: (actual, expected) => actual !== undefined && wildcardMatches(expected, actual),
  Bool: (actual, expected) => actual === expected,
  NumericEquals: (actual, expected) => actual !== undefined && Number(actual) === Number(expected),
  NumericLessThanEquals: (actual, expected) => actual !== undefined && Number(actual) <= Number(expected),
  NumericGreaterThanEquals: (actual, expected) => actual !== undefined && Number(actual) >= Number(expected),
};
// The negated operators match when any expected value fails to match, i.e. all of them must not match.
const NEGATED = new Set(["StringNotEquals", "StringNotLike"]);

/** Whether a statement's conditions hold for the call; a string when an operator is unknown here. */
function conditionsHold(condition: PolicyStatement["Condition"], context: Record<string, string>): boolean | string {
  for (const [rawOperator, entries] of Object.entries(condition ?? {})) {
    const ifExists = rawOperator.endsWith("IfExists");
    const operator = ifExists ? rawOperator.slice(0, -"IfExists".length) : rawOperator;
    const test = CONDITION_OPERATORS[operator];
    if (!test) return `condition operator ${rawOperator} is not evaluated by the local stack (dev/iam/policy.ts)`;
    for (const [key, expectedValue] of Object.entries(entries)) {
      const actual = context[key] ?? context[key.toLowerCase()];
      if (actual === undefined && ifExists) continue;
      const expected = (Array.isArray(expectedValue) ? expectedValue : [expectedValue]).map(String);
      const holds = NEGATED.has(operator) ? expected.every((value) => test(actual, value)) : expected.some((value) => test(actual, value));
      if (!holds) return false;
    }
  }
  return true;
}

function matching(statement: PolicyStatement, call: AwsCall): { action: string; resource: string } | undefined {
  const action = statement.Action
    ? asList(statement.Action).find((pattern) => wildcardMatches(pattern, call.action, true))
    : asList(statement.NotAction).some((pattern) => wildcardMatches(pattern, call.action, true))
      ? undefined
      : `NotAction`;
  if (!action) return undefined;
  const resource = statement.Resource
    ? asList(statement.Resource).find((pattern) => wildcardMatches(pattern, call.resource))
    : asList(statement.NotResource).some((pattern) => wildcardMatches(pattern, call.resource))
      ? undefined
      : "NotResource";
  if (!resource) return undefined;
  return { action, resource };
}

/** Evaluates the call against a role's statements, as IAM does for an identity-based policy alone. */
export function evaluate(statements: readonly PolicyStatement[], call: AwsCall): Decision {
  const context = { "aws:SecureTransport": "true", ...call.context };
  let allowedBy: Grant | undefined;
  let unknown: string | undefined;
  for (const [index, statement] of statements.entries()) {
    const match = matching(statement, call);
    if (!match) continue;
    const holds = conditionsHold(statement.Condition, context);
    if (typeof holds === "string") {
      // A Deny that cannot be evaluated denies; an Allow that cannot be evaluated allows nothing.
      if (statement.Effect === "Deny") return { allowed: false, reason: "explicit", detail: holds };
      unknown = holds;
      continue;
    }
    if (!holds) continue;
    if (statement.Effect === "Deny") return { allowed: false, reason: "explicit" };
    allowedBy ??= { statement: index, ...match };
  }
  if (allowedBy) return { allowed: true, grant: allowedBy };
  return { allowed: false, reason: "implicit", detail: unknown };
}

/** Every grant a role holds: one per statement, action pattern and resource pattern (what the usage check counts). */
export function grantsOf(statements: readonly PolicyStatement[]): Grant[] {
  return statements.flatMap((statement, index) =>
    statement.Effect !== "Allow"
      ? []
      : asList(statement.Action).flatMap((action) =>
          asList(statement.Resource).map((resource) => ({ statement: index, action, resource })),
        ),
  );
}
