/** A static access key pair (local emulators, tests). */
export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * Static credentials for a local emulator (s3rver, dynalite, serverless-offline's Lambda endpoint): the pair of
 * `.env.example`. Without an endpoint (AWS) it is undefined, and the SDK takes the role's from the Lambda environment.
 */
export function localCredentials(endpoint: string | undefined): StaticCredentials | undefined {
  if (!endpoint) return undefined;
  return {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? "S3RVER",
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? "S3RVER",
  };
}

/** The HTTP status of an AWS SDK error, when the service answered. */
export function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("$metadata" in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  return metadata?.httpStatusCode;
}

/**
 * The HTTP handler settings of every AWS client: a connection deadline, and a request deadline (a socket silent for
 * that long) that fails the attempt — without `throwOnRequestTimeout` the handler only logs a warning and waits on.
 * The whole call, retries included, is also bounded by the abort signal each call is given (`deadlineSignal` in lib/abort.ts).
 */
export function awsDeadlines(requestTimeoutMs: number): { connectionTimeout: number; requestTimeout: number; throwOnRequestTimeout: true } {
  return { connectionTimeout: Math.min(1000, requestTimeoutMs), requestTimeout: requestTimeoutMs, throwOnRequestTimeout: true };
}

/** Where an AWS service is: the region, a local emulator's endpoint when not on AWS, and the per-request deadline. */
export interface AwsServiceSettings {
  region: string;
  endpoint?: string | undefined;
  requestTimeoutMs: number;
  /** Static credentials (tests); by default the emulators' pair on a local endpoint, the role's in AWS. */
  credentials?: StaticCredentials | undefined;
}

/**
 * The configuration every AWS client of the product shares: capped retries, connection and request deadlines, and
 * static credentials on a local endpoint.
 */
export function awsClientConfig(settings: AwsServiceSettings) {
  const credentials = settings.credentials ?? localCredentials(settings.endpoint);
  return {
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    maxAttempts: 2,
    requestHandler: awsDeadlines(settings.requestTimeoutMs),
  };
}
