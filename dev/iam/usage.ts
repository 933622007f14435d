// Least privilege, both ways, from what a test run did: every call a function made must be allowed by its role, and
// every grant of every role must have been used by some call (or by Lambda itself on the function's behalf).

import { existsSync, readFileSync } from "node:fs";
import { grantsOf, type Grant } from "./policy.ts";
import type { UsageRecord } from "./proxy.ts";
import type { FunctionRole } from "./roles.ts";

/** The usage file's records (none when no call was made). */
export function readUsage(file: string): UsageRecord[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as UsageRecord);
}

/** The calls no grant allowed, one line each naming the function and the call. */
export function callsWithoutGrant(usage: readonly UsageRecord[], shortName: (functionName: string) => string): string[] {
  const lines = usage
    .filter((record) => !record.allowed)
    .map(
      (record) =>
        `${shortName(record.function)} called ${record.action} on ${record.resource} without a grant (${record.reason ?? "denied"})`,
    );
  return [...new Set(lines)].sort();
}

/**
 * Whether Lambda itself uses a grant on the function's behalf, with the function's role, as the template says:
 * its own log group (the runtime's logs), the parameters its environment names (the Parameters and Secrets
 * extension reads them), and its on-failure destination (Lambda sends a failed asynchronous event there).
 */
export function usedByLambda(role: FunctionRole, grant: Grant): boolean {
  const [service] = grant.action.split(":");
  if (service === "logs") return grant.resource.includes(`:log-group:/aws/lambda/${role.functionName}:`);
  if (grant.action === "ssm:GetParameter") {
    const named = Object.entries(role.environment)
      .filter(([name]) => name.endsWith("_PARAMETER"))
      .map(([, value]) => value);
    return named.some((parameter) => grant.resource.endsWith(`:parameter${parameter}`));
  }
  if (grant.action === "sqs:SendMessage") return role.onFailureDestination === grant.resource;
  return false;
}

/** The grants no recorded call used (and Lambda does not use), one line each naming the function and the grant. */
export function unusedGrants(
  roles: Iterable<FunctionRole>,
  usage: readonly UsageRecord[],
  shortName: (functionName: string) => string,
): string[] {
  const used = new Set(
    usage
      .filter((record) => record.allowed && record.grant)
      .map((record) => `${record.function}|${record.grant?.statement}|${record.grant?.action}|${record.grant?.resource}`),
  );
  const lines: string[] = [];
  for (const role of roles) {
    for (const grant of grantsOf(role.statements)) {
      if (usedByLambda(role, grant) || used.has(`${role.functionName}|${grant.statement}|${grant.action}|${grant.resource}`)) continue;
      lines.push(`${shortName(role.functionName)} is granted ${grant.action} on ${grant.resource} and no test used it`);
    }
  }
  return lines.sort();
}
