// Resolving a function's secrets: from SSM parameters named in its environment (read through the Parameters and Secrets
// Lambda Extension, lib/clients/parameters-extension.ts), or from plain variables locally. The process-wide loader is
// wiring (lib/wiring/secrets.ts); the middleware that runs it is in lib/http.
import * as z from "./schemas/zod.ts";
import { SECRET_NAMES, type Config } from "./config.ts";

/** A secret a function may use: the Upstash REST URL and token, the Gemini API key. */
export type SecretName = (typeof SECRET_NAMES)[number];

/** The resolved secrets of this container; a secret the function does not use is absent. */
export type Secrets = Readonly<Partial<Record<SecretName, string>>>;

/** Reads SecureString parameters, decrypted; a name that does not exist is left out of the answer. */
export interface ParameterSource {
  getSecureStrings(names: readonly string[]): Promise<Record<string, string>>;
}

/** What the secrets are resolved from: the plain variables, the parameter names, and the provider choice. */
export type SecretSettings = Pick<Config, SecretName | `${SecretName}_PARAMETER` | "CHAT_PROVIDER" | "IMAGE_PROVIDER">;

/** A deployment mistake about secrets (one missing, or malformed): a 500 until fixed, unlike the parameter store not answering. */
export class SecretConfigurationError extends Error {
  override readonly name: string = "SecretConfigurationError";
  constructor(
    message: string,
    /** The secrets concerned, by name; never their values. */
    readonly secrets: readonly SecretName[],
  ) {
    super(message);
  }
}

/** A secret that a function needs and was given neither as a value nor as a parameter that exists. */
export class MissingSecretError extends SecretConfigurationError {
  override readonly name = "MissingSecretError";
  constructor(
    readonly secret: SecretName,
    /** The SSM parameter that was read, when there was one; a name, safe to log. */
    readonly parameter?: string,
  ) {
    super(
      parameter
        ? `${secret}: SSM parameter ${parameter} does not exist or is empty`
        : `${secret}: not configured (set ${secret}_PARAMETER in AWS, ${secret} locally)`,
      [secret],
    );
  }
}

// The values are checked once, when they arrive, like the rest of the configuration.
const secretValues = z.object({
  UPSTASH_REDIS_REST_URL: z.optional(z.url()),
  UPSTASH_REDIS_REST_TOKEN: z.optional(z.string().check(z.minLength(1))),
  GEMINI_API_KEY: z.optional(z.string().check(z.minLength(1))),
});

/**
 * Whether a function fetches this secret at start. The Gemini key is only worth a parameter read (and only
 * required to exist) when a stage selects a Gemini provider; the Redis secrets whenever they are named.
 */
function isWanted(settings: SecretSettings, name: SecretName): boolean {
  if (name !== "GEMINI_API_KEY") return true;
  return settings.CHAT_PROVIDER === "gemini" || settings.IMAGE_PROVIDER === "gemini";
}

/** Resolves every secret: from its SSM parameter when one is named (all read together, decrypted), else from its plain variable. */
export async function resolveSecrets(settings: SecretSettings, source: () => ParameterSource): Promise<Secrets> {
  const resolved: Partial<Record<SecretName, string>> = {};
  const fromParameters: Array<[SecretName, string]> = [];
  for (const name of SECRET_NAMES) {
    const parameter = settings[`${name}_PARAMETER`];
    if (parameter === undefined) {
      if (settings[name] !== undefined) resolved[name] = settings[name];
    } else if (isWanted(settings, name)) {
      fromParameters.push([name, parameter]);
    }
  }
  if (fromParameters.length > 0) {
    const values = await source().getSecureStrings(fromParameters.map(([, parameter]) => parameter));
    for (const [name, parameter] of fromParameters) {
      const value = values[parameter];
      if (value === undefined || value === "") throw new MissingSecretError(name, parameter);
      resolved[name] = value;
    }
  }
  const checked = secretValues.safeParse(resolved);
  if (!checked.success) {
    const names = checked.error.issues.map((issue) => issue.path.join(".") as SecretName);
    throw new SecretConfigurationError(`Invalid secrets: ${names.join(", ")} (values not shown)`, names);
  }
  return checked.data;
}

/** Loads a container's secrets once and hands them out synchronously afterwards. */
export interface SecretLoader {
  /** Resolves the secrets on the first call (a failed load is retried by the next call); at once afterwards. */
  load(): Promise<Secrets>;
  /** One secret, or undefined when this function was given none. Throws when it is still to be fetched. */
  get(name: SecretName): string | undefined;
  /** One secret the caller cannot work without; throws MissingSecretError naming it. */
  require(name: SecretName): string;
}

/** A SecretLoader over the given settings and parameter source (tests pass fakes). */
export function createSecretLoader(settings: () => SecretSettings, source: () => ParameterSource): SecretLoader {
  let loaded: Secrets | undefined;
  let loading: Promise<Secrets> | undefined;

  const get = (name: SecretName): string | undefined => {
    if (loaded) return loaded[name];
    const config = settings();
    // Nothing to fetch (the local stack, unit tests): the plain variable is the secret, no load needed.
    if (config[`${name}_PARAMETER`] === undefined) return config[name];
    throw new Error(`${name} comes from SSM and is not loaded yet: the loadSecretsFirst middleware loads it`);
  };

  return {
    load() {
      if (loaded) return Promise.resolve(loaded);
      loading ??= resolveSecrets(settings(), source).then(
        (secrets) => (loaded = secrets),
        (error: unknown) => {
          loading = undefined;
          throw error;
        },
      );
      return loading;
    },
    get,
    require(name) {
      const value = get(name);
      if (value === undefined) throw new MissingSecretError(name);
      return value;
    },
  };
}
