import { LambdaClient } from "@aws-sdk/client-lambda";
import { getConfig } from "../config.ts";
import { localCredentials } from "./aws.ts";

let lambda: LambdaClient | undefined;

/** The process-wide Lambda client (locally serverless-offline's Lambda endpoint), made once per container on first use. */
export function lambdaClient(): LambdaClient {
  const config = getConfig();
  if (!lambda) {
    const credentials = localCredentials(config.LAMBDA_ENDPOINT);
    lambda = new LambdaClient({
      region: config.AWS_REGION,
      ...(config.LAMBDA_ENDPOINT ? { endpoint: config.LAMBDA_ENDPOINT } : {}),
      ...(credentials ? { credentials } : {}),
      maxAttempts: 2,
    });
  }
  return lambda;
}
