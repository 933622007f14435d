import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type AwsServiceSettings, awsClientConfig } from "./aws.ts";

/** Where DynamoDB is: the region, a local endpoint (dynalite) when not on AWS, and the per-request deadline. */
export type DynamoSettings = AwsServiceSettings;

/** A DynamoDB client with capped retries and connection and request deadlines; static credentials on a local endpoint. */
export function createDynamoClient(settings: DynamoSettings): DynamoDBClient {
  return new DynamoDBClient(awsClientConfig(settings));
}
