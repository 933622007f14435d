import { parseConfig, type Config } from "../config.ts";

// lib/wiring is the composition root: the one place where the real collaborators of the domain (clients,
// stores, providers, limiters, the secrets) are built, once per container, one module per concern so that each
// function's bundle holds only what it uses. Functions take their collaborators from here and nowhere else;
// domain code never imports it (tests build the domain with fakes instead).

let cached: Config | undefined;

/** The process configuration, read and validated once; fails at start-up on a missing variable. */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}
