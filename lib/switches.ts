import { DependencyUnavailableError } from "./errors.ts";
// The operator's switches of a stage (image generation, the Gemini chat): on or off without a deploy. In AWS each is
// an SSM String parameter ("true" / "false") read at run time through the Parameters and Secrets Lambda Extension
// (lib/clients/parameters-extension.ts), kept for SWITCH_CACHE_MS; locally, where no parameter is named, the plain
// variable. The extension keeps its own copy for SSM_PARAMETER_STORE_TTL (serverless.yml sets it on the functions
// that read a switch), so a flip is seen within the two together: under a minute.
import { logger } from "./observability/logger.ts";
import type { ParameterSource } from "./secrets.ts";

/** How long one reading of a switch is trusted before the parameter is read again. */
export const SWITCH_CACHE_MS = 20_000;

/** A switch the operator can flip while the functions run. */
export interface RuntimeSwitch {
  /** Whether it is on now; rejects only when it has never been read and the parameter store does not answer. */
  isOn(): Promise<boolean>;
}

export interface RuntimeSwitchOptions {
  /** The switch's name, for logs. */
  name: string;
  /** The SSM parameter that holds it; undefined: `fixed` is the value (the local stack, unit tests). */
  parameter: string | undefined;
  fixed: boolean;
  source: () => ParameterSource;
  cacheMs?: number;
  now?: () => number;
}

/**
 * A switch read from its parameter at most once per cacheMs. Only "true" is on: "false", any other value and a
 * parameter that does not exist are off, since a switch exists to stop spending. When the parameter store does not
 * answer, the last value read stands (logged) until it answers again.
 */
export function createRuntimeSwitch(options: RuntimeSwitchOptions): RuntimeSwitch {
  const parameter = options.parameter;
  if (parameter === undefined) return { isOn: () => Promise.resolve(options.fixed) };
  const now = options.now ?? (() => Date.now());
  const cacheMs = options.cacheMs ?? SWITCH_CACHE_MS;
  let known: { on: boolean; readAt: number } | undefined;
  let reading: Promise<boolean> | undefined;

  const read = async (): Promise<boolean> => {
    try {
      const values = await options.source().getSecureStrings([parameter]);
      const value = values[parameter]?.trim();
      if (value !== "true" && value !== "false")
        logger.error("switch parameter is neither true nor false; taken as off", { switch: options.name });
      known = { on: value === "true", readAt: now() };
      return known.on;
    } catch (error) {
      if (!known) throw error;
      logger.warn("switch parameter unreadable; keeping its last value", { switch: options.name, on: known.on });
      return known.on;
    } finally {
      reading = undefined;
    }
  };

  return {
    isOn() {
      if (known && now() - known.readAt < cacheMs) return Promise.resolve(known.on);
      reading ??= read();
      return reading;
    },
  };
}

/**
 * Whether a switch is on, its read failing as a 503 `dependency_unavailable` (the parameter store did not answer);
 * `off` is what to throw when it is off.
 */
export async function assertSwitchOn(runtimeSwitch: RuntimeSwitch, off: () => Error): Promise<void> {
  let on: boolean;
  try {
    on = await runtimeSwitch.isOn();
  } catch (error) {
    throw new DependencyUnavailableError("parameters", error);
  }
  if (!on) throw off();
}
