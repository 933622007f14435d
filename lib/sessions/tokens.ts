import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { MissingTokenError } from "../errors.ts";

const SESSION_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** A new random session id: 128 bits, URL- and S3-key-safe. */
export function newSessionId(): string {
  return randomBytes(16).toString("base64url");
}

/** A new random bearer token: 256 bits. It is returned once and never stored. */
export function newSessionToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether a string has the shape of a session id (anything else cannot name a session). */
export function isSessionId(value: string | undefined): value is string {
  return value !== undefined && SESSION_ID_PATTERN.test(value);
}

/** The stored form of a token: its SHA-256, hex. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

/** Whether a presented token matches a stored hash, in constant time. */
export function tokenMatches(storedHash: string, token: string): boolean {
  return tokenHashMatches(storedHash, hashToken(token));
}

/** Whether a presented token's hash (`hashToken`) matches a stored hash, in constant time. */
export function tokenHashMatches(storedHash: string, presentedHash: string): boolean {
  const presented = Buffer.from(presentedHash, "hex");
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === presented.length && timingSafeEqual(stored, presented);
}

/** The bearer token of a request's headers, or a 401 that says whether the header is absent or malformed. */
export function bearerToken(headers: Record<string, string | undefined>): string {
  const header = headers.authorization;
  if (header === undefined || header.trim() === "") throw new MissingTokenError("absent");
  const match = /^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(header);
  if (!match?.[1]) throw new MissingTokenError("malformed");
  return match[1];
}
