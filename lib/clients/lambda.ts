import { LambdaClient } from "@aws-sdk/client-lambda";
import { type AwsServiceSettings, awsClientConfig } from "./aws.ts";

/** Where Lambda is: the region, and serverless-offline's Lambda endpoint when not on AWS. */
export type LambdaSettings = AwsServiceSettings;

/** A Lambda client with capped retries and connection and request deadlines; static credentials on a local endpoint. */
export function createLambdaClient(settings: LambdaSettings): LambdaClient {
  return new LambdaClient(awsClientConfig(settings));
}
