import middy from "@middy/core";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  ParametersExtensionError,
  parametersExtensionSource,
  type ParametersExtensionSettings,
} from "../../lib/clients/parameters-extension.ts";
import { errorHandler, loadSecretsFirst } from "../../lib/http/middlewares.ts";
import type { HttpEvent, HttpResponse } from "../../lib/http/types.ts";
import { createSecretLoader, MissingSecretError, resolveSecrets, type SecretSettings } from "../../lib/secrets.ts";
import { startFakeParametersExtension, type FakeParametersExtension } from "../fakes/parameters-extension.ts";
import { fakeContext, httpEvent } from "../helpers/lambda.ts";

// The secrets of a function in AWS, read through the Parameters and Secrets extension's HTTP API — here a local fake
// of it (test/fakes/parameters-extension.ts) — over real HTTP, with the three outcomes a cold start can meet.
const SESSION_TOKEN = "IQoJb3JpZ2luX2VjE-test-session-token";
const URL_PARAMETER = "/hera/test/upstash-redis-rest-url";
const TOKEN_PARAMETER = "/hera/test/upstash-redis-rest-token";
const GEMINI_PARAMETER = "/hera/test/gemini-api-key";
const STORED = { [URL_PARAMETER]: "https://stored-redis.example", [TOKEN_PARAMETER]: "stored-token-a1b2" };

let extension: FakeParametersExtension;

beforeAll(async () => {
  extension = await startFakeParametersExtension({ token: SESSION_TOKEN, parameters: STORED });
});

afterAll(async () => {
  await extension.close();
});

beforeEach(() => {
  extension.requests.length = 0;
  extension.fail(undefined);
});

const source = (overrides: Partial<ParametersExtensionSettings> = {}) =>
  parametersExtensionSource({ port: extension.port, sessionToken: SESSION_TOKEN, timeoutMs: 1000, ...overrides });

const inAws: SecretSettings = {
  UPSTASH_REDIS_REST_URL: undefined,
  UPSTASH_REDIS_REST_TOKEN: undefined,
  GEMINI_API_KEY: undefined,
  UPSTASH_REDIS_REST_URL_PARAMETER: URL_PARAMETER,
  UPSTASH_REDIS_REST_TOKEN_PARAMETER: TOKEN_PARAMETER,
  GEMINI_API_KEY_PARAMETER: GEMINI_PARAMETER,
  CHAT_PROVIDER: "local",
  IMAGE_PROVIDER: "local",
};

/** A port nothing listens on: one a server had a moment ago. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The cold-start chain of a function: its secrets first, then the handler; errors as the API answers them. */
function chainOver(settings: ParametersExtensionSettings) {
  const loader = createSecretLoader(
    () => inAws,
    () => parametersExtensionSource(settings),
  );
  const handler = middy<HttpEvent, HttpResponse>()
    .use(loadSecretsFirst<HttpEvent, HttpResponse>(loader))
    .use(errorHandler())
    .handler(async () => ({ statusCode: 200, headers: {}, body: loader.require("UPSTASH_REDIS_REST_TOKEN") }));
  return () => handler(httpEvent({ method: "GET" }), fakeContext());
}

describe("secrets through the Parameters and Secrets extension: ok", () => {
  it("asks for each name decrypted, with the function's session token, all at once", async () => {
    // Prepare: every answer waits, so the requests can only overlap if they are sent together.
    extension.fail({ delayMs: 150 });
    const pending = source().getSecureStrings(Object.keys(STORED));
    await new Promise((resolve) => setTimeout(resolve, 50));
    extension.fail(undefined);
    // Act
    const values = await pending;
    // Assess
    expect(values).toEqual(STORED);
    expect(extension.requests.map((request) => request.names)).toEqual(expect.arrayContaining([[URL_PARAMETER], [TOKEN_PARAMETER]]));
    expect(extension.requests).toHaveLength(2);
    for (const request of extension.requests)
      expect(request).toMatchObject({ api: "extension", withDecryption: true, token: SESSION_TOKEN });
    expect(extension.peakConcurrency()).toBeGreaterThanOrEqual(2);
  });

  it("resolves a function's Redis secrets and hands them to the handler once loaded", async () => {
    await expect(resolveSecrets(inAws, () => source())).resolves.toEqual({
      UPSTASH_REDIS_REST_URL: STORED[URL_PARAMETER],
      UPSTASH_REDIS_REST_TOKEN: STORED[TOKEN_PARAMETER],
    });
    // The Gemini key is not asked for while no stage setting selects Gemini.
    expect(extension.requests.flatMap((request) => request.names)).not.toContain(GEMINI_PARAMETER);

    const response = await chainOver({ port: extension.port, sessionToken: SESSION_TOKEN, timeoutMs: 1000 })();
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe(STORED[TOKEN_PARAMETER]);
  });
});

describe("secrets through the Parameters and Secrets extension: missing", () => {
  it("leaves out a name the extension reports as ParameterNotFound, and the function names it in a 500", async () => {
    // Act
    const values = await source().getSecureStrings([URL_PARAMETER, GEMINI_PARAMETER]);
    const withGemini = resolveSecrets({ ...inAws, CHAT_PROVIDER: "gemini" }, () => source());
    // Assess
    expect(values).toEqual({ [URL_PARAMETER]: STORED[URL_PARAMETER] });
    await expect(withGemini).rejects.toBeInstanceOf(MissingSecretError);
    await expect(withGemini).rejects.toThrow(`GEMINI_API_KEY: SSM parameter ${GEMINI_PARAMETER} does not exist`);
  });

  it("takes a 404 naming ParameterNotFound as missing too", async () => {
    extension.fail({ status: 404, body: `ParameterNotFound: ${TOKEN_PARAMETER}` });
    await expect(source().getSecureStrings([TOKEN_PARAMETER])).resolves.toEqual({});
  });

  it("answers 500 for the missing parameter, without its name, and reads again on the next request", async () => {
    // Prepare
    extension.delete(TOKEN_PARAMETER);
    const request = chainOver({ port: extension.port, sessionToken: SESSION_TOKEN, timeoutMs: 1000 });
    try {
      // Act
      const refused = await request();
      // Assess: a deployment mistake, not an outage
      expect(refused.statusCode).toBe(500);
      expect(refused.body).not.toContain(TOKEN_PARAMETER);
      // Act: the operator creates it; the next invocation of the same container reads it
      extension.put(TOKEN_PARAMETER, STORED[TOKEN_PARAMETER]!);
      const answered = await request();
      // Assess
      expect(answered.statusCode).toBe(200);
    } finally {
      extension.put(TOKEN_PARAMETER, STORED[TOKEN_PARAMETER]!);
    }
  });
});

describe("secrets through the Parameters and Secrets extension: unreachable", () => {
  it("fails the read when nothing listens on the port (the layer is not attached)", async () => {
    const port = await closedPort();
    const read = source({ port }).getSecureStrings([URL_PARAMETER]);
    await expect(read).rejects.toBeInstanceOf(ParametersExtensionError);
    await expect(read).rejects.toThrow(URL_PARAMETER);
  });

  it("gives up after its timeout when the extension does not answer", async () => {
    extension.fail({ delayMs: 5000 });
    const started = performance.now();
    await expect(source({ timeoutMs: 300 }).getSecureStrings([URL_PARAMETER])).rejects.toBeInstanceOf(ParametersExtensionError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it("fails the read on a 5xx, and on a 400 that does not say ParameterNotFound", async () => {
    extension.fail({ status: 502, body: "502 Bad Gateway: SSM did not answer" });
    await expect(source().getSecureStrings([URL_PARAMETER])).rejects.toMatchObject({ name: "ParametersExtensionError", status: 502 });
    extension.fail({ status: 400, body: "400 Bad Request: AccessDeniedException" });
    await expect(source().getSecureStrings([URL_PARAMETER])).rejects.toMatchObject({ name: "ParametersExtensionError", status: 400 });
  });

  it("answers 503 with Retry-After, and the next request of the same container reads the secrets", async () => {
    // Prepare
    extension.fail({ status: 503 });
    const request = chainOver({ port: extension.port, sessionToken: SESSION_TOKEN, timeoutMs: 1000 });
    // Act
    const refused = await request();
    extension.fail(undefined);
    const answered = await request();
    // Assess
    expect(refused.statusCode).toBe(503);
    expect(refused.headers["Retry-After"]).toBe("5");
    expect(JSON.parse(refused.body ?? "{}")).toMatchObject({
      error: { code: "dependency_unavailable", details: { dependency: "secrets" } },
    });
    expect(answered.statusCode).toBe(200);
  });
});

describe("secrets through the Parameters and Secrets extension: the token header", () => {
  it("is refused by the extension without the function's own session token", async () => {
    const read = source({ sessionToken: "someone-else" }).getSecureStrings([URL_PARAMETER]);
    await expect(read).rejects.toMatchObject({ name: "ParametersExtensionError", status: 401 });
    expect(extension.requests[0]?.token).toBe("someone-else");
  });

  it("is not sent at all when the function has no session token", async () => {
    await expect(source({ sessionToken: undefined }).getSecureStrings([URL_PARAMETER])).rejects.toThrow(/AWS_SESSION_TOKEN/);
    expect(extension.requests).toEqual([]);
  });
});
