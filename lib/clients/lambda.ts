import { getConfig } from "../config.ts";
import { AwsHttpClient, credentialsFromEnvironment } from "./aws-http.ts";

let lambda: AwsHttpClient | undefined;

/** The process-wide client of the Lambda API (locally serverless-offline's Lambda endpoint), made once per container. */
export function lambdaApi(): AwsHttpClient {
  const config = getConfig();
  if (!lambda) {
    const credentials = credentialsFromEnvironment(config.LAMBDA_ENDPOINT);
    lambda = new AwsHttpClient({
      service: "lambda",
      region: config.AWS_REGION,
      origin: config.LAMBDA_ENDPOINT ?? `https://lambda.${config.AWS_REGION}.amazonaws.com`,
      credentials: () => credentials,
      timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    });
  }
  return lambda;
}
