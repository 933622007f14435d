import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { getConfig } from "../config.ts";
import { localCredentials } from "./aws.ts";

let dynamo: DynamoDBClient | undefined;

/** The process-wide DynamoDB client (locally dynalite), made once per container on first use. */
export function dynamoClient(): DynamoDBClient {
  const config = getConfig();
  if (!dynamo) {
    const credentials = localCredentials(config.DYNAMODB_ENDPOINT);
    dynamo = new DynamoDBClient({
      region: config.AWS_REGION,
      ...(config.DYNAMODB_ENDPOINT ? { endpoint: config.DYNAMODB_ENDPOINT } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: 2,
      requestHandler: { requestTimeout: config.DEPENDENCY_TIMEOUT_MS },
    });
  }
  return dynamo;
}
