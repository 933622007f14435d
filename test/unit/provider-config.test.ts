import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { parseConfig } from "../../lib/config.ts";
import { DEFAULT_CHAT_MODEL, DEFAULT_IMAGE_MODEL, GEMINI_MODELS_CHECKED_ON } from "../../lib/providers/gemini-models.ts";
import { RETIRED_GEMINI_MODELS as RETIRED } from "../fakes/gemini-server.ts";

const BASE_ENV = { PHOTO_BUCKET: "hera-test-photos", RESULTS_TABLE: "hera-test-results" };

interface ServerlessConfig {
  params: { default: Record<string, unknown> };
  functions: Record<string, { environment?: Record<string, string> }>;
}

const serverless = parse(readFileSync("serverless.yml", "utf8"), { merge: true }) as ServerlessConfig;

describe("Gemini models are configuration", () => {
  it("defaults to the models checked against Google's list, none of them retired or deprecated", () => {
    const config = parseConfig(BASE_ENV);
    expect(config.CHAT_MODEL).toBe(DEFAULT_CHAT_MODEL);
    expect(config.IMAGE_MODEL).toBe(DEFAULT_IMAGE_MODEL);
    expect(RETIRED).not.toContain(DEFAULT_CHAT_MODEL);
    expect(RETIRED).not.toContain(DEFAULT_IMAGE_MODEL);
    expect(GEMINI_MODELS_CHECKED_ON).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("takes CHAT_MODEL and IMAGE_MODEL from the environment", () => {
    const config = parseConfig({ ...BASE_ENV, CHAT_MODEL: "gemini-3.8-flash", IMAGE_MODEL: "models/gemini-3-pro-image" });
    expect(config.CHAT_MODEL).toBe("gemini-3.8-flash");
    expect(config.IMAGE_MODEL).toBe("models/gemini-3-pro-image");
  });

  it.each(["gemini 3.8 flash", "", "gemini-3.8-flash?key=1", "../models"])(
    "fails at start-up, naming the variable, for the model name %j",
    (name) => {
      expect(() => parseConfig({ ...BASE_ENV, CHAT_MODEL: name })).toThrow(/CHAT_MODEL/);
      expect(() => parseConfig({ ...BASE_ENV, IMAGE_MODEL: name })).toThrow(/IMAGE_MODEL/);
    },
  );

  it("has per-stage params in serverless.yml with the same defaults", () => {
    expect(serverless.params.default.chatModel).toBe(DEFAULT_CHAT_MODEL);
    expect(serverless.params.default.imageModel).toBe(DEFAULT_IMAGE_MODEL);
  });

  it("passes each model only to the functions that use it", () => {
    const withVariable = (name: string) =>
      Object.entries(serverless.functions)
        .filter(([, definition]) => definition.environment?.[name] !== undefined)
        .map(([functionName]) => functionName)
        .sort();
    expect(withVariable("CHAT_MODEL")).toEqual(["postMessage"]);
    // requestImage calls no model, but the model names the generator in a picture's inputs hash, as in the worker.
    expect(withVariable("IMAGE_MODEL")).toEqual(["imageWorker", "requestImage"]);
    expect(serverless.functions.postMessage?.environment?.CHAT_MODEL).toContain("${param:chatModel}");
    for (const name of ["imageWorker", "requestImage"])
      expect(serverless.functions[name]?.environment?.IMAGE_MODEL).toContain("${param:imageModel}");
  });
});
