import { LambdaClient } from "@aws-sdk/client-lambda";
import { awsDeadlines, localCredentials } from "./aws.ts";

/** Where Lambda is: the region, and serverless-offline's Lambda endpoint when not on AWS. */
export interface LambdaSettings {
  region: string;
  endpoint?: string | undefined;
  requestTimeoutMs: number;
}

/** A Lambda client with capped retries and connection and request deadlines; static credentials on a local endpoint. */
export function createLambdaClient(settings: LambdaSettings): LambdaClient {
  const credentials = localCredentials(settings.endpoint);
  return new LambdaClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
    requestHandler: awsDeadlines(settings.requestTimeoutMs),
  });
}
