import { parametersExtensionSource } from "../clients/parameters-extension.ts";
import { createSecretLoader, type ParameterSource, type SecretLoader, type SecretName } from "../secrets.ts";
import { getConfig } from "./config.ts";

// Made when the first parameter is read (during the first invocation: the extension answers only then), with the
// session token Lambda gives the function, which the extension takes as proof that the call comes from it.
const extensionSource = (): ParameterSource => {
  const config = getConfig();
  return parametersExtensionSource({
    port: config.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT,
    sessionToken: process.env.AWS_SESSION_TOKEN,
    timeoutMs: config.DEPENDENCY_TIMEOUT_MS,
  });
};

/** The secrets of this container: SSM through the Parameters and Secrets extension in AWS, plain variables locally. */
export const processSecrets: SecretLoader = createSecretLoader(getConfig, extensionSource);

/** One secret of this container, or undefined when the function was given none. */
export function secret(name: SecretName): string | undefined {
  return processSecrets.get(name);
}

/** One secret this container cannot work without; throws MissingSecretError naming it. */
export function requireSecret(name: SecretName): string {
  return processSecrets.require(name);
}
