import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DEV_PORTS, loadLocalEnv, portsFromEnv, s3PublicEndpoint } from "../../dev/env.ts";

// What `npm run dev` hands browsers for S3 (presigned URLs, the demo page's CSP), from .env.example, .env and the
// environment as dev/local-stack.ts reads them.
describe("the local stack's public S3 endpoint", () => {
  let root: string;
  const saved = { S3_PUBLIC_ENDPOINT: process.env.S3_PUBLIC_ENDPOINT, S3_LOCAL_PORT: process.env.S3_LOCAL_PORT };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "hera-env-"));
    copyFileSync(".env.example", join(root, ".env.example"));
    delete process.env.S3_PUBLIC_ENDPOINT;
    delete process.env.S3_LOCAL_PORT;
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  it("is the local S3 on the default port when nothing is set", () => {
    // Act
    const env = loadLocalEnv(root);

    // Assess
    expect(s3PublicEndpoint(env, portsFromEnv(env).s3)).toBe(`http://localhost:${DEV_PORTS.s3}`);
  });

  it("follows S3_LOCAL_PORT", () => {
    // Prepare
    process.env.S3_LOCAL_PORT = "4570";

    // Act
    const env = loadLocalEnv(root);

    // Assess
    expect(s3PublicEndpoint(env, portsFromEnv(env).s3)).toBe("http://localhost:4570");
  });

  it("is S3_PUBLIC_ENDPOINT from .env when set, whatever the port, even the default port's address", () => {
    // Prepare: S3 moved to 4570, and the public address kept at 4569 on purpose (say, a proxy in front of it).
    writeFileSync(join(root, ".env"), "S3_LOCAL_PORT=4570\nS3_PUBLIC_ENDPOINT=http://localhost:4569\n");

    // Act
    const env = loadLocalEnv(root);

    // Assess
    expect(portsFromEnv(env).s3).toBe(4570);
    expect(s3PublicEndpoint(env, portsFromEnv(env).s3)).toBe("http://localhost:4569");
  });

  it("is S3_PUBLIC_ENDPOINT from the environment over .env", () => {
    // Prepare
    writeFileSync(join(root, ".env"), "S3_PUBLIC_ENDPOINT=http://localhost:4569\n");
    process.env.S3_PUBLIC_ENDPOINT = "http://192.168.1.20:4569/";

    // Act
    const env = loadLocalEnv(root);

    // Assess
    expect(s3PublicEndpoint(env, portsFromEnv(env).s3)).toBe("http://192.168.1.20:4569");
  });

  it("counts an empty S3_PUBLIC_ENDPOINT as unset and refuses one that is not an http(s) URL", () => {
    expect(s3PublicEndpoint({ S3_PUBLIC_ENDPOINT: " " }, 4669)).toBe("http://localhost:4669");
    expect(() => s3PublicEndpoint({ S3_PUBLIC_ENDPOINT: "192.168.1.20:4569" }, 4669)).toThrow(
      /S3_PUBLIC_ENDPOINT must be an http\(s\) URL/,
    );
  });
});
