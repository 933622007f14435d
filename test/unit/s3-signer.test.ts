import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { S3Signer } from "../../lib/clients/s3-signer.ts";
import { S3LinkSigner } from "../../lib/storage/s3-links.ts";

// The links of read functions are signed without the S3 client: each must be the very URL the SDK's getSignedUrl makes
// for the same GetObject at the same time (the same host and path, the same query, hence the same signature).

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const withSessionToken = { ...credentials, sessionToken: "IQoJb3JpZ2luX2VjE//session/token+with=chars" };
const key = "sessions/AbCdEfGhIjKlMnOpQrStUv/uploads/u-1_x/user-photo";

async function sdkLink(
  settings: { bucket: string; region: string; endpoint?: string; credentials: typeof credentials },
  objectKey: string,
  contentType: string,
  expiresIn: number,
): Promise<string> {
  const client = new S3Client({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, forcePathStyle: true } : {}),
    credentials: settings.credentials,
  });
  const get = new GetObjectCommand({
    Bucket: settings.bucket,
    Key: objectKey,
    ResponseContentType: contentType,
    ResponseContentDisposition: "inline",
  });
  return getSignedUrl(client, get, { expiresIn });
}

describe("S3LinkSigner.presignDownload", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-12-04T05:06:07.890Z") });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const cases: Array<[string, { bucket: string; region: string; endpoint?: string; credentials: typeof credentials }]> = [
    ["a deployed bucket (virtual-hosted)", { bucket: "hera-api-prod-photobucket-1a2b3c4d5e6f", region: "ap-northeast-1", credentials }],
    [
      "Lambda's role credentials, with their session token",
      { bucket: "hera-api-prod-photos", region: "ap-northeast-1", credentials: withSessionToken },
    ],
    ["us-east-1", { bucket: "hera-photos", region: "us-east-1", credentials }],
    ["a China region", { bucket: "hera-photos", region: "cn-north-1", credentials }],
    ["a bucket whose name is not a DNS label (path style)", { bucket: "hera.photos.example", region: "eu-west-1", credentials }],
    [
      "the local stack (path style on its endpoint)",
      { bucket: "hera-api-photos-dev", region: "ap-northeast-1", endpoint: "http://localhost:4569", credentials },
    ],
    [
      "a local endpoint by address",
      { bucket: "hera-api-photos-dev", region: "ap-northeast-1", endpoint: "http://127.0.0.1:14669", credentials: withSessionToken },
    ],
  ];

  it.each(cases)("makes the SDK's URL for %s", async (_name, settings) => {
    // Prepare
    const links = new S3LinkSigner(new S3Signer(settings));
    // Act
    const ours = await links.presignDownload(key, 600, { contentType: "image/png" });
    // Assess
    expect(ours).toBe(await sdkLink(settings, key, "image/png", 600));
  });

  it("makes the SDK's URL for every expiry, type and key character it may meet", async () => {
    const settings = { bucket: "hera-photos", region: "ap-northeast-1", credentials: withSessionToken };
    const links = new S3LinkSigner(new S3Signer(settings));
    const keys = [key, "sessions/x/images/partner.png", "sessions/a b/(weird)!*'~+=&?#/ключ/写真.png"];
    for (const [objectKey, type, expiry] of keys.flatMap((k) =>
      (["image/jpeg", "image/webp", "application/octet-stream"] as const).map((t, i) => [k, t, [60, 300, 3600][i]!] as const),
    )) {
      expect(await links.presignDownload(objectKey, expiry, { contentType: type })).toBe(await sdkLink(settings, objectKey, type, expiry));
    }
  });

  it("pins the served type, inline disposition and expiry, and signs only the host", async () => {
    const links = new S3LinkSigner(new S3Signer({ bucket: "hera-photos", region: "ap-northeast-1", credentials: withSessionToken }));

    const url = new URL(await links.presignDownload(key, 300, { contentType: "image/webp" }));

    expect(url.origin).toBe("https://hera-photos.s3.ap-northeast-1.amazonaws.com");
    expect(url.pathname).toBe(`/${key}`);
    expect(url.searchParams.get("response-content-type")).toBe("image/webp");
    expect(url.searchParams.get("response-content-disposition")).toBe("inline");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-Date")).toBe("20261204T050607Z");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("host");
    expect(url.searchParams.get("X-Amz-Security-Token")).toBe(withSessionToken.sessionToken);
  });

  it("signs with Lambda's role credentials from the environment when given none (the SDK's chain in a bundle)", async () => {
    // Prepare
    vi.stubEnv("AWS_ACCESS_KEY_ID", withSessionToken.accessKeyId);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", withSessionToken.secretAccessKey);
    vi.stubEnv("AWS_SESSION_TOKEN", withSessionToken.sessionToken);
    try {
      const links = new S3LinkSigner(new S3Signer({ bucket: "hera-photos", region: "ap-northeast-1" }));
      // Act
      const ours = await links.presignDownload(key, 600, { contentType: "image/png" });
      // Assess
      expect(ours).toBe(
        await sdkLink({ bucket: "hera-photos", region: "ap-northeast-1", credentials: withSessionToken }, key, "image/png", 600),
      );
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
