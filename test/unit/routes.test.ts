import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ERROR_CATALOGUE } from "../../lib/errors.ts";
import { ROUTES, routeNotFoundRoute } from "../../lib/schemas/routes.ts";
import { httpApiRoutes, serverlessFunctions } from "../helpers/serverless-config.ts";

describe("the route table", () => {
  it("has a function with its httpApi event in serverless.yml for every route, and serverless.yml no other route", () => {
    const table = [...ROUTES, routeNotFoundRoute]
      .map((route) => `${route.method.toUpperCase()} ${route.path} → ${route.functionName}`)
      .sort();
    const declared = httpApiRoutes().map((route) => `${route.method} ${route.path} → ${route.functionName}`);
    expect(declared.sort()).toEqual(table);
  });

  it("is where each HTTP function takes its validation from: its handler wraps its own descriptor", () => {
    const functions = serverlessFunctions();
    for (const route of ROUTES) {
      const handler = functions[route.functionName]?.handler ?? "";
      const source = readFileSync(`${handler.replace(/\.handler$/, "")}.ts`, "utf8");
      expect(source, route.functionName).toMatch(new RegExp(`httpHandler\\(\\s*${route.functionName}Route,`));
    }
  });
});

describe("the error catalogue", () => {
  // The same words in the other vocabularies are other things: `internal_error` and `images_paused` are also an image
  // job's failure codes (IMAGE_FAILURE_CODES, answered in the session view), `rate_limited` a Gemini call's failure kind.
  const otherVocabularies: Record<string, string[]> = {
    "lib/schemas/images.ts": ["internal_error", "images_paused"],
    "lib/images/worker.ts": ["internal_error", "images_paused"],
    "lib/providers/gemini-call.ts": ["rate_limited"],
  };

  it("is the one place an HTTP error code is spelled: no other file of lib/ or functions/ holds one as a string", () => {
    const sources = ["lib", "functions"].flatMap((folder) =>
      readdirSync(folder, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".ts") && file !== "errors.ts")
        .map((file) => `${folder}/${file}`),
    );
    const spelled = sources.flatMap((file) => {
      const text = readFileSync(file, "utf8");
      return Object.keys(ERROR_CATALOGUE)
        .filter((code) => text.includes(`"${code}"`) && !otherVocabularies[file]?.includes(code))
        .map((code) => `${file}: ${code}`);
    });
    expect(spelled).toEqual([]);
  });
});
