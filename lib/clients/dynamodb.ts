import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { getConfig } from "../config.ts";
import { localCredentials } from "./aws.ts";

let dynamo: DynamoDBClient | undefined;

/** The process-wide DynamoDB client, made once per container on first use. */
export function dynamoClient(): DynamoDBClient {
  const config = getConfig();
  dynamo ??= new DynamoDBClient({
    region: config.AWS_REGION,
    endpoint: config.DYNAMODB_ENDPOINT,
    credentials: localCredentials(config.DYNAMODB_ENDPOINT),
    maxAttempts: 2,
  });
  return dynamo;
}
