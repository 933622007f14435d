import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_LOCK_SECONDS, IDEMPOTENCY_WINDOW_SECONDS } from "../../lib/sessions/idempotency-store.ts";

// docs/api.md is read by people, openapi.json by programs: the error table and the Idempotency-Key section must say
// what the code does.
const doc = readFileSync("docs/api.md", "utf8");
const contract = JSON.parse(readFileSync("openapi.json", "utf8")) as {
  components: { schemas: Record<string, { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } }> };
};

describe("docs/api.md", () => {
  it("has a row in its error table for every error code of openapi.json", () => {
    const codes = Object.values(contract.components.schemas).flatMap((schema) => schema.properties?.error?.properties?.code?.enum ?? []);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(doc, code).toMatch(new RegExp(`^\\| \\d{3} \\| \`${code}\` \\|`, "m"));
  });

  it("states the Idempotency-Key window and lock as the code keeps them", () => {
    expect(doc).toContain("## Idempotency-Key");
    expect(doc).toContain(`kept for **${IDEMPOTENCY_WINDOW_SECONDS / 3600} hours**`);
    expect(doc).toContain(`(at most ${IDEMPOTENCY_LOCK_SECONDS} s)`);
  });
});
