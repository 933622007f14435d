import type { ParameterSource } from "../secrets.ts";

/** Where the AWS Parameters and Secrets Lambda Extension listens, and how to prove the call comes from the function. */
export interface ParametersExtensionSettings {
  /** The extension's port: PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, 2773 unless set. */
  port: number;
  /** The function's AWS_SESSION_TOKEN, which the extension expects in X-Aws-Parameters-Secrets-Token. */
  sessionToken: string | undefined;
  /** How long one parameter may take, the extension's own call to SSM included. */
  timeoutMs: number;
}

/** The extension could not be asked or did not answer: a 503 for the request, retried by the next one. */
export class ParametersExtensionError extends Error {
  override readonly name = "ParametersExtensionError";
  constructor(
    message: string,
    /** The HTTP status the extension answered, when it answered. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const NOT_FOUND = /ParameterNotFound/;

/**
 * Reads decrypted SecureStrings through the AWS Parameters and Secrets Lambda Extension (a layer that answers on
 * localhost and calls SSM's GetParameter with the function's role), one name per request, all at once. A name the
 * extension reports as ParameterNotFound is left out of the answer (the caller names it); a refused connection, a
 * timeout or any other error status fails the read. No AWS SDK: the extension signs its own calls.
 */
export function parametersExtensionSource(settings: ParametersExtensionSettings): ParameterSource {
  const base = `http://localhost:${settings.port}/systemsmanager/parameters/get`;
  const read = async (name: string): Promise<[string, string] | undefined> => {
    if (!settings.sessionToken)
      throw new ParametersExtensionError("AWS_SESSION_TOKEN is not set: the extension accepts calls from the function only");
    let response: Response;
    try {
      response = await fetch(`${base}?name=${encodeURIComponent(name)}&withDecryption=true`, {
        headers: { "X-Aws-Parameters-Secrets-Token": settings.sessionToken },
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
    } catch (error) {
      throw new ParametersExtensionError(`the Parameters and Secrets extension did not answer for ${name}`, undefined, { cause: error });
    }
    // Bodies are read before deciding: an error text names the parameter at most; a 200 holds the value, never logged.
    const body = await response.text().catch(() => "");
    if ((response.status === 400 || response.status === 404) && NOT_FOUND.test(body)) return undefined;
    if (!response.ok)
      throw new ParametersExtensionError(`the Parameters and Secrets extension answered ${response.status} for ${name}`, response.status);
    const value = parseValue(body);
    if (value === undefined)
      throw new ParametersExtensionError(`the Parameters and Secrets extension answered ${name} without a value`, response.status);
    return [name, value];
  };
  return {
    async getSecureStrings(names) {
      const answers = await Promise.all(names.map(read));
      return Object.fromEntries(answers.filter((answer) => answer !== undefined));
    },
  };
}

/** `Parameter.Value` of GetParameter's JSON, as the extension relays it. */
function parseValue(body: string): string | undefined {
  try {
    const value = (JSON.parse(body) as { Parameter?: { Value?: unknown } }).Parameter?.Value;
    return typeof value === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}
