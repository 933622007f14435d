import middy from "@middy/core";
import { describe, expect, it } from "vitest";
import { errorHandler } from "../../lib/http/middlewares.ts";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import {
  createSecretLoader,
  MissingSecretError,
  resolveSecrets,
  SecretConfigurationError,
  type ParameterSource,
  type SecretSettings,
} from "../../lib/secrets.ts";
import { loadSecretsFirst } from "../../lib/http/middlewares.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

const REDIS_URL_PARAMETER = "/hera/prod/upstash-redis-rest-url";
const REDIS_TOKEN_PARAMETER = "/hera/prod/upstash-redis-rest-token";
const GEMINI_KEY_PARAMETER = "/hera/prod/gemini-api-key";

/** A parameter store in memory that records every batch it is asked for. */
function fakeParameters(values: Record<string, string>) {
  const calls: string[][] = [];
  const source: ParameterSource = {
    async getSecureStrings(names) {
      calls.push([...names]);
      return Object.fromEntries(names.filter((name) => name in values).map((name) => [name, values[name] ?? ""]));
    },
  };
  return { calls, source: () => source };
}

const storedInSsm = {
  [REDIS_URL_PARAMETER]: "https://eu1-prod.upstash.example",
  [REDIS_TOKEN_PARAMETER]: "ssm-redis-token-7f3a",
  [GEMINI_KEY_PARAMETER]: "ssm-gemini-key-91bc",
};

function settings(overrides: Partial<SecretSettings> = {}): SecretSettings {
  return {
    UPSTASH_REDIS_REST_URL: undefined,
    UPSTASH_REDIS_REST_URL_PARAMETER: undefined,
    UPSTASH_REDIS_REST_TOKEN: undefined,
    UPSTASH_REDIS_REST_TOKEN_PARAMETER: undefined,
    GEMINI_API_KEY: undefined,
    GEMINI_API_KEY_PARAMETER: undefined,
    CHAT_PROVIDER: "local",
    IMAGE_PROVIDER: "local",
    ...overrides,
  };
}

const inAws = settings({
  UPSTASH_REDIS_REST_URL_PARAMETER: REDIS_URL_PARAMETER,
  UPSTASH_REDIS_REST_TOKEN_PARAMETER: REDIS_TOKEN_PARAMETER,
});

describe("resolving secrets", () => {
  it("uses the plain variables and reads no parameter when none is named (the local stack)", async () => {
    const parameters = fakeParameters(storedInSsm);
    const secrets = await resolveSecrets(
      settings({ UPSTASH_REDIS_REST_URL: "http://localhost:8079", UPSTASH_REDIS_REST_TOKEN: "local-dev-token" }),
      parameters.source,
    );
    expect(secrets).toEqual({ UPSTASH_REDIS_REST_URL: "http://localhost:8079", UPSTASH_REDIS_REST_TOKEN: "local-dev-token" });
    expect(parameters.calls).toEqual([]);
  });

  it("reads every named parameter in one batch", async () => {
    const parameters = fakeParameters(storedInSsm);
    const secrets = await resolveSecrets(inAws, parameters.source);
    expect(secrets).toEqual({
      UPSTASH_REDIS_REST_URL: storedInSsm[REDIS_URL_PARAMETER],
      UPSTASH_REDIS_REST_TOKEN: storedInSsm[REDIS_TOKEN_PARAMETER],
    });
    expect(parameters.calls).toEqual([[REDIS_URL_PARAMETER, REDIS_TOKEN_PARAMETER]]);
  });

  it("reads the Gemini key only when a stage selects a Gemini provider", async () => {
    const local = fakeParameters(storedInSsm);
    const withoutGemini = await resolveSecrets({ ...inAws, GEMINI_API_KEY_PARAMETER: GEMINI_KEY_PARAMETER }, local.source);
    expect(withoutGemini.GEMINI_API_KEY).toBeUndefined();
    expect(local.calls.flat()).not.toContain(GEMINI_KEY_PARAMETER);

    const gemini = fakeParameters(storedInSsm);
    const withGemini = await resolveSecrets(
      { ...inAws, GEMINI_API_KEY_PARAMETER: GEMINI_KEY_PARAMETER, IMAGE_PROVIDER: "gemini" },
      gemini.source,
    );
    expect(withGemini.GEMINI_API_KEY).toBe(storedInSsm[GEMINI_KEY_PARAMETER]);
    expect(gemini.calls).toEqual([[REDIS_URL_PARAMETER, REDIS_TOKEN_PARAMETER, GEMINI_KEY_PARAMETER]]);
  });

  it("names the secret and its parameter when the parameter does not exist", async () => {
    const parameters = fakeParameters({ [REDIS_URL_PARAMETER]: storedInSsm[REDIS_URL_PARAMETER] });
    const failure = resolveSecrets(inAws, parameters.source);
    await expect(failure).rejects.toBeInstanceOf(MissingSecretError);
    await expect(failure).rejects.toThrow(`UPSTASH_REDIS_REST_TOKEN: SSM parameter ${REDIS_TOKEN_PARAMETER} does not exist`);
  });

  it("refuses a malformed value without repeating it", async () => {
    const parameters = fakeParameters({ ...storedInSsm, [REDIS_URL_PARAMETER]: "not-a-url-secret-5e1" });
    const failure = resolveSecrets(inAws, parameters.source);
    await expect(failure).rejects.toBeInstanceOf(SecretConfigurationError);
    await expect(failure).rejects.toThrow(/UPSTASH_REDIS_REST_URL/);
    await expect(failure).rejects.not.toThrow(/not-a-url-secret-5e1/);
  });
});

describe("the secret loader", () => {
  it("reads the parameters once per container however many invocations ask", async () => {
    const parameters = fakeParameters(storedInSsm);
    const loader = createSecretLoader(() => inAws, parameters.source);
    await Promise.all([loader.load(), loader.load()]);
    await loader.load();
    expect(parameters.calls).toHaveLength(1);
    expect(loader.require("UPSTASH_REDIS_REST_TOKEN")).toBe(storedInSsm[REDIS_TOKEN_PARAMETER]);
  });

  it("refuses to hand out a secret from SSM before it is loaded, and hands out plain ones at once", () => {
    const aws = createSecretLoader(() => inAws, fakeParameters(storedInSsm).source);
    expect(() => aws.get("UPSTASH_REDIS_REST_URL")).toThrow(/loadSecrets/);

    const local = createSecretLoader(() => settings({ UPSTASH_REDIS_REST_TOKEN: "local-dev-token" }), fakeParameters({}).source);
    expect(local.get("UPSTASH_REDIS_REST_TOKEN")).toBe("local-dev-token");
    expect(() => local.require("GEMINI_API_KEY")).toThrow(MissingSecretError);
  });

  it("tries again on the next invocation after a failed read", async () => {
    let failures = 1;
    const flaky: ParameterSource = {
      async getSecureStrings(names) {
        if (failures-- > 0) throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
        return Object.fromEntries(names.map((name) => [name, storedInSsm[name as keyof typeof storedInSsm] ?? ""]));
      },
    };
    const loader = createSecretLoader(
      () => inAws,
      () => flaky,
    );
    await expect(loader.load()).rejects.toThrow("socket hang up");
    await expect(loader.load()).resolves.toMatchObject({ UPSTASH_REDIS_REST_URL: storedInSsm[REDIS_URL_PARAMETER] });
  });
});

describe("the secrets middleware", () => {
  const handlerWith = (load: () => Promise<never>) =>
    middy<HttpEvent, HttpResponse>()
      .use(loadSecretsFirst<HttpEvent, HttpResponse>({ load }))
      .use(errorHandler())
      .handler(async () => ({ statusCode: 200, headers: {} }));

  it("answers 503 with Retry-After when the parameter store cannot be read, and never reaches the handler", async () => {
    const response = await handlerWith(() => Promise.reject(new Error("AccessDenied")))(httpEvent({}), fakeContext());
    expect(response.statusCode).toBe(503);
    expect(response.headers["Retry-After"]).toBe("5");
    expect(JSON.parse(response.body ?? "{}")).toMatchObject({
      error: { code: "dependency_unavailable", details: { dependency: "secrets" } },
    });
  });

  it("answers a generic 500 for a missing secret: a deployment mistake, not an outage", async () => {
    const response = await handlerWith(() => Promise.reject(new MissingSecretError("UPSTASH_REDIS_REST_TOKEN", REDIS_TOKEN_PARAMETER)))(
      httpEvent({}),
      fakeContext(),
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain(REDIS_TOKEN_PARAMETER);
  });
});
