import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultEventFile, fillPlaceholders, functionSources, invocationResult, needsOf, placeholdersIn } from "../../dev/invoke-local.ts";

describe("npm run invoke: events and results", () => {
  it("fills every placeholder of an event and refuses one it has no value for", () => {
    // Prepare
    const template = readFileSync("events/photo-uploaded.json", "utf8");

    // Act
    const filled = fillPlaceholders(template, { SESSION_ID: "s".repeat(22), UPLOAD_ID: "u1" });

    // Assess
    expect(placeholdersIn(template)).toEqual(["SESSION_ID", "UPLOAD_ID"]);
    expect(filled).not.toContain("REPLACE_WITH_");
    expect(JSON.parse(filled).Records[0].s3.object.key).toBe(`sessions/${"s".repeat(22)}/uploads/u1/user-photo`);
    expect(() => fillPlaceholders(template, { SESSION_ID: "x" })).toThrow("REPLACE_WITH_UPLOAD_ID");
  });

  it("knows how to fill every placeholder the sample events use", () => {
    // Prepare
    const sources = functionSources();

    // Act
    const unknown = Object.entries(sources).flatMap(([name, source]) => {
      const needs = needsOf(name, placeholdersIn(readFileSync(defaultEventFile(source), "utf8")));
      const made = new Set([
        ...(needs.session ? ["SESSION_ID", "SESSION_TOKEN"] : []),
        ...(needs.photo !== "none" ? ["UPLOAD_ID"] : []),
        ...(needs.job ? ["JOB_ID"] : []),
      ]);
      return placeholdersIn(readFileSync(defaultEventFile(source), "utf8"))
        .filter((placeholder) => !made.has(placeholder))
        .map((p) => `${name}: ${p}`);
    });

    // Assess
    expect(Object.keys(sources).length).toBe(readdirSync("functions").filter((file) => file.endsWith(".ts")).length);
    expect(unknown).toEqual([]);
  });

  it("reads the function's answer from sls output, past its JSON log lines", () => {
    // Prepare
    const output = [
      'Running "serverless" from node_modules',
      '{"level":"INFO","message":"request refused","status":404}',
      "{",
      '    "statusCode": 404,',
      '    "body": "{\\"error\\":{}}"',
      "}",
      "",
    ].join("\n");

    // Act / Assess
    expect(invocationResult(output)).toEqual({ statusCode: 404, body: '{"error":{}}' });
    expect(invocationResult('{"level":"INFO","message":"photo checked"}\n')).toBeUndefined();
  });
});
