import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ssmParameterSource } from "../../lib/clients/ssm.ts";
import { MissingSecretError, resolveSecrets } from "../../lib/secrets.ts";

// A stand-in for the SSM API (JSON 1.1 protocol, `X-Amz-Target: AmazonSSM.GetParameters`), so the signed
// GetParameters call of lib/clients/ssm.ts is exercised end to end without AWS.
const STORED: Record<string, string> = {
  "/hera/test/upstash-redis-rest-url": "https://stored-redis.example",
  "/hera/test/upstash-redis-rest-token": "stored-token-a1b2",
};

interface SeenRequest {
  target: string | undefined;
  body: { Names: string[]; WithDecryption?: boolean };
}

let server: Server;
let endpoint: string;
const seen: SeenRequest[] = [];
let denyAccess = false;

beforeAll(async () => {
  server = createServer((request, response) => {
    let raw = "";
    request.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    request.on("end", () => {
      const body = JSON.parse(raw) as SeenRequest["body"];
      seen.push({ target: request.headers["x-amz-target"] as string | undefined, body });
      response.setHeader("Content-Type", "application/x-amz-json-1.1");
      if (denyAccess) {
        response.statusCode = 400;
        response.end(JSON.stringify({ __type: "AccessDeniedException", message: "not allowed" }));
        return;
      }
      const found = body.Names.filter((name) => name in STORED);
      response.end(
        JSON.stringify({
          Parameters: found.map((name) => ({ Name: name, Type: "SecureString", Value: STORED[name], Version: 1 })),
          InvalidParameters: body.Names.filter((name) => !(name in STORED)),
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const source = () =>
  ssmParameterSource({ region: "ap-northeast-1", endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" } });

describe("secrets from SSM", () => {
  it("reads named SecureStrings in one decrypted GetParameters call and leaves out the missing ones", async () => {
    seen.length = 0;
    const values = await source().getSecureStrings([...Object.keys(STORED), "/hera/test/gemini-api-key"]);
    expect(values).toEqual(STORED);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ target: "AmazonSSM.GetParameters", body: { WithDecryption: true } });
    expect(seen[0]?.body.Names.sort()).toEqual([...Object.keys(STORED), "/hera/test/gemini-api-key"].sort());
  });

  it("resolves the Redis secrets of a function, and names a parameter that is not there", async () => {
    const settings = {
      UPSTASH_REDIS_REST_URL: undefined,
      UPSTASH_REDIS_REST_TOKEN: undefined,
      GEMINI_API_KEY: undefined,
      UPSTASH_REDIS_REST_URL_PARAMETER: "/hera/test/upstash-redis-rest-url",
      UPSTASH_REDIS_REST_TOKEN_PARAMETER: "/hera/test/upstash-redis-rest-token",
      GEMINI_API_KEY_PARAMETER: "/hera/test/gemini-api-key",
      CHAT_PROVIDER: "local" as const,
      IMAGE_PROVIDER: "local" as const,
    };
    await expect(resolveSecrets(settings, async () => source())).resolves.toEqual({
      UPSTASH_REDIS_REST_URL: STORED["/hera/test/upstash-redis-rest-url"],
      UPSTASH_REDIS_REST_TOKEN: STORED["/hera/test/upstash-redis-rest-token"],
    });
    const withGemini = resolveSecrets({ ...settings, CHAT_PROVIDER: "gemini" }, async () => source());
    await expect(withGemini).rejects.toBeInstanceOf(MissingSecretError);
    await expect(withGemini).rejects.toThrow("/hera/test/gemini-api-key");
  });

  it("fails the read when SSM refuses it", async () => {
    denyAccess = true;
    try {
      await expect(source().getSecureStrings(Object.keys(STORED))).rejects.toThrow();
    } finally {
      denyAccess = false;
    }
  });
});
