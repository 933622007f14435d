import { describe, expect, it } from "vitest";
import { hashToken, isSessionId, newSessionId, newSessionToken, tokenMatches } from "../../lib/sessions/tokens.ts";

describe("session ids and tokens", () => {
  it("makes ids of 128 random bits that are safe in URLs and S3 keys", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newSessionId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(isSessionId(id)).toBe(true);
      expect(Buffer.from(id, "base64url")).toHaveLength(16);
    }
  });

  it("refuses strings that are not ids", () => {
    for (const value of [undefined, "", "abc", "../../etc/passwd", "a".repeat(23), `${"a".repeat(21)}/`]) {
      expect(isSessionId(value)).toBe(false);
    }
  });

  it("makes 256-bit tokens and matches them only against their own hash", () => {
    const token = newSessionToken();
    expect(Buffer.from(token, "base64url")).toHaveLength(32);
    const stored = hashToken(token);
    expect(stored).not.toContain(token);
    expect(tokenMatches(stored, token)).toBe(true);
    expect(tokenMatches(stored, newSessionToken())).toBe(false);
    expect(tokenMatches("not-a-hash", token)).toBe(false);
  });
});
