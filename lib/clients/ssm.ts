import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";
import type { ParameterSource } from "../secrets.ts";

/** Where SSM is: the region, and for tests an endpoint with static credentials. */
export interface SsmLocation {
  region: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/**
 * Reads decrypted SecureStrings with Powertools' SSMProvider: one `ssm:GetParameters` call for up to ten names.
 * The values are kept by lib/secrets.ts for the container's life, so Powertools' own short cache adds nothing.
 */
export function ssmParameterSource(location: SsmLocation): ParameterSource {
  const ssm = new SSMProvider({ clientConfig: { ...location, maxAttempts: 3 } });
  return {
    async getSecureStrings(names) {
      const parameters = Object.fromEntries(names.map((name) => [name, {}]));
      // throwOnError: false lists names that do not exist under `_errors` instead of throwing on the first;
      // a failed call (access denied, network) still throws.
      const answer: Record<string, unknown> = await ssm.getParametersByName(parameters, { decrypt: true, throwOnError: false });
      const values: Record<string, string> = {};
      for (const name of names) {
        const value = answer[name];
        if (typeof value === "string") values[name] = value;
      }
      return values;
    },
  };
}
