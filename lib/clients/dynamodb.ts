import { getConfig } from "../config.ts";
import { AwsHttpClient, AwsResponseError, credentialsFromEnvironment, responseError } from "./aws-http.ts";

/** DynamoDB's JSON API (awsJson1_0): one POST per operation, named by `X-Amz-Target`. */
export class DynamoDbApi {
  constructor(private readonly client: AwsHttpClient) {}

  /**
   * Calls one operation and answers its output. An error answer throws AwsResponseError with DynamoDB's code
   * (`ConditionalCheckFailedException`...); a transport failure throws AwsUnreachableError.
   */
  async call<Output>(operation: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<Output> {
    const response = await this.client.send(
      {
        method: "POST",
        path: "/",
        headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
        body: JSON.stringify(input),
      },
      signal,
    );
    if (!response.ok) throw await responseError("dynamodb", response);
    return (await response.json()) as Output;
  }
}

/** Whether an error is DynamoDB refusing a request with this code. */
export function isDynamoError(error: unknown, code: string): error is AwsResponseError {
  return error instanceof AwsResponseError && error.code === code;
}

let dynamo: DynamoDbApi | undefined;

/** The process-wide DynamoDB API client (locally dynalite), made once per container on first use. */
export function dynamoApi(): DynamoDbApi {
  const config = getConfig();
  if (!dynamo) {
    const credentials = credentialsFromEnvironment(config.DYNAMODB_ENDPOINT);
    dynamo = new DynamoDbApi(
      new AwsHttpClient({
        service: "dynamodb",
        region: config.AWS_REGION,
        origin: config.DYNAMODB_ENDPOINT ?? `https://dynamodb.${config.AWS_REGION}.amazonaws.com`,
        credentials: () => credentials,
        timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
      }),
    );
  }
  return dynamo;
}
