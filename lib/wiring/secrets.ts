import { createSecretLoader, type ParameterSource, type SecretLoader, type SecretName, type Secrets } from "../secrets.ts";
import { getConfig } from "./config.ts";

// The SSM client is loaded only by a function that names a parameter, so the local stack never evaluates it.
const ssmSource = async (): Promise<ParameterSource> =>
  (await import("../clients/ssm.ts")).ssmParameterSource({ region: getConfig().AWS_REGION });

/** The secrets of this container: SSM in AWS, plain variables locally; loaded by the chains in lib/http. */
export const processSecrets: SecretLoader = createSecretLoader(getConfig, ssmSource);

/** Resolves this container's secrets once; call before the first use of a client. */
export function loadSecrets(): Promise<Secrets> {
  return processSecrets.load();
}

/** One secret of this container, or undefined when the function was given none. */
export function secret(name: SecretName): string | undefined {
  return processSecrets.get(name);
}

/** One secret this container cannot work without; throws MissingSecretError naming it. */
export function requireSecret(name: SecretName): string {
  return processSecrets.require(name);
}
