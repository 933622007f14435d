import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { awsDeadlines, localCredentials } from "./aws.ts";

/** Where DynamoDB is: the region, a local endpoint (dynalite) when not on AWS, and the per-request deadline. */
export interface DynamoSettings {
  region: string;
  endpoint?: string | undefined;
  requestTimeoutMs: number;
}

/** A DynamoDB client with capped retries and connection and request deadlines; static credentials on a local endpoint. */
export function createDynamoClient(settings: DynamoSettings): DynamoDBClient {
  const credentials = localCredentials(settings.endpoint);
  return new DynamoDBClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
    requestHandler: awsDeadlines(settings.requestTimeoutMs),
  });
}
