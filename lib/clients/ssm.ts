import type { ParameterSource } from "../secrets.ts";
import { AwsHttpClient, credentialsFromEnvironment, responseError, type AwsCredentials } from "./aws-http.ts";

/** Where SSM is: the region, and for tests an endpoint with static credentials. */
export interface SsmLocation {
  region: string;
  endpoint?: string;
  credentials?: AwsCredentials;
}

/** GetParameters takes at most ten names a call. */
const NAMES_PER_CALL = 10;

/**
 * Reads decrypted SecureStrings with SSM's `GetParameters` (one call for up to ten names), over its JSON API.
 * The values are kept by lib/secrets.ts for the container's life.
 */
export function ssmParameterSource(location: SsmLocation): ParameterSource {
  const credentials = location.credentials ?? credentialsFromEnvironment(undefined);
  const client = new AwsHttpClient({
    service: "ssm",
    region: location.region,
    origin: location.endpoint ?? `https://ssm.${location.region}.amazonaws.com`,
    credentials: () => credentials,
    timeoutMs: 3000,
    maxAttempts: 3,
  });
  return {
    async getSecureStrings(names) {
      const values: Record<string, string> = {};
      for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
        const response = await client.send({
          method: "POST",
          path: "/",
          headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": "AmazonSSM.GetParameters" },
          body: JSON.stringify({ Names: names.slice(start, start + NAMES_PER_CALL), WithDecryption: true }),
        });
        // A refused call (access denied, throttled past the retries) fails the read; names that do not exist are
        // listed under InvalidParameters and simply left out of the answer.
        if (!response.ok) throw await responseError("ssm", response);
        const answer = (await response.json()) as { Parameters?: Array<{ Name?: string; Value?: string }> };
        for (const parameter of answer.Parameters ?? []) {
          if (parameter.Name !== undefined && typeof parameter.Value === "string") values[parameter.Name] = parameter.Value;
        }
      }
      return values;
    },
  };
}
