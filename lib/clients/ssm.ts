import { GetParametersCommand, SSMClient } from "@aws-sdk/client-ssm";
import type { ParameterSource } from "../secrets.ts";
import type { StaticCredentials } from "./aws.ts";

/** Where SSM is: the region, and for tests an endpoint with static credentials. */
export interface SsmLocation {
  region: string;
  endpoint?: string;
  credentials?: StaticCredentials;
}

/** GetParameters takes at most ten names a call. */
const NAMES_PER_CALL = 10;

/**
 * Reads decrypted SecureStrings with SSM's `GetParameters` (one call for up to ten names). The values are kept by
 * lib/secrets.ts for the container's life. Loaded by lib/secrets.ts only when a parameter is named.
 */
export function ssmParameterSource(location: SsmLocation): ParameterSource {
  const client = new SSMClient({
    region: location.region,
    ...(location.endpoint ? { endpoint: location.endpoint } : {}),
    ...(location.credentials ? { credentials: location.credentials } : {}),
    maxAttempts: 3,
    requestHandler: { requestTimeout: 3000 },
  });
  return {
    async getSecureStrings(names) {
      const values: Record<string, string> = {};
      for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
        // A refused call (access denied, throttled past the retries) fails the read; names that do not exist are
        // listed under InvalidParameters and simply left out of the answer.
        const answer = await client.send(
          new GetParametersCommand({ Names: names.slice(start, start + NAMES_PER_CALL), WithDecryption: true }),
        );
        for (const parameter of answer.Parameters ?? []) {
          if (parameter.Name !== undefined && typeof parameter.Value === "string") values[parameter.Name] = parameter.Value;
        }
      }
      return values;
    },
  };
}
