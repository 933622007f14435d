import { LambdaClient } from "@aws-sdk/client-lambda";
import { getConfig } from "../config.ts";
import { localCredentials } from "./aws.ts";

let lambda: LambdaClient | undefined;

/** The process-wide Lambda client (locally pointed at serverless-offline's Lambda endpoint), made once per container. */
export function lambdaClient(): LambdaClient {
  const config = getConfig();
  lambda ??= new LambdaClient({
    region: config.AWS_REGION,
    endpoint: config.LAMBDA_ENDPOINT,
    credentials: localCredentials(config.LAMBDA_ENDPOINT),
    maxAttempts: 2,
  });
  return lambda;
}
