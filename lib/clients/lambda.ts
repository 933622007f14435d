import { LambdaClient } from "@aws-sdk/client-lambda";
import { localCredentials } from "./aws.ts";

/** Where Lambda is: the region, and serverless-offline's Lambda endpoint when not on AWS. */
export interface LambdaSettings {
  region: string;
  endpoint?: string | undefined;
}

/** A Lambda client with capped retries; static credentials on a local endpoint. */
export function createLambdaClient(settings: LambdaSettings): LambdaClient {
  const credentials = localCredentials(settings.endpoint);
  return new LambdaClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
  });
}
