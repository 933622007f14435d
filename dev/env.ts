import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseEnv } from "node:util";

/** Ports of the local stack; every one is overridable by environment variable. */
export interface StackPorts {
  http: number;
  lambda: number;
  s3: number;
  dynamodb: number;
  upstash: number;
  /** The browser demo's static server (`dev/web-server.ts`). */
  web: number;
}

export const DEV_PORTS: StackPorts = { http: 3000, lambda: 3002, s3: 4569, dynamodb: 8000, upstash: 8079, web: 5173 };

/** Reads `.env.example`, then `.env` over it, then the real environment over both. */
export function loadLocalEnv(root = process.cwd()): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const file of [".env.example", ".env"]) {
    const path = resolve(root, file);
    if (existsSync(path)) Object.assign(merged, parseEnv(readFileSync(path, "utf8")));
  }
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) merged[key] = value;
  return merged;
}

/** The stack's ports from the environment, falling back to the given defaults. */
export function portsFromEnv(env: Record<string, string | undefined>, defaults: StackPorts = DEV_PORTS): StackPorts {
  const port = (name: string, fallback: number) => {
    const value = Number(env[name]);
    return Number.isInteger(value) && value > 0 ? value : fallback;
  };
  return {
    http: port("OFFLINE_HTTP_PORT", defaults.http),
    lambda: port("OFFLINE_LAMBDA_PORT", defaults.lambda),
    s3: port("S3_LOCAL_PORT", defaults.s3),
    dynamodb: port("DYNAMODB_LOCAL_PORT", defaults.dynamodb),
    upstash: port("UPSTASH_LOCAL_PORT", defaults.upstash),
    web: port("WEB_PORT", defaults.web),
  };
}

/**
 * The S3 endpoint a browser is given (presigned POST and GET URLs, the demo page's CSP): S3_PUBLIC_ENDPOINT when it is
 * set, whatever its value (e.g. a LAN address for a phone), else the local S3 on `s3Port`, so it follows S3_LOCAL_PORT.
 */
export function s3PublicEndpoint(env: Record<string, string | undefined>, s3Port: number): string {
  const explicit = env.S3_PUBLIC_ENDPOINT?.trim();
  if (!explicit) return `http://localhost:${s3Port}`;
  if (!URL.canParse(explicit) || !/^https?:$/.test(new URL(explicit).protocol)) {
    throw new Error(`S3_PUBLIC_ENDPOINT must be an http(s) URL such as http://192.168.1.20:4569, not ${JSON.stringify(explicit)}`);
  }
  return explicit.replace(/\/+$/, "");
}
