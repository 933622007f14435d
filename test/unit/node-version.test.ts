import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// One Node major everywhere: the one npm scripts run on (the `node` dev dependency), the one nvm and engines name,
// the Lambda runtime and esbuild's target.
describe("Node version", () => {
  const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string }; devDependencies: Record<string, string> };
  const scriptsMajor = /^\^?(\d+)\./.exec(pkg.devDependencies.node ?? "")?.[1];

  it("is the same major in .nvmrc, engines, the Lambda runtime and the bundles' target as the scripts' Node", () => {
    // Prepare
    const serverless = parse(readFileSync("serverless.yml", "utf8")) as {
      provider: { runtime: string };
      custom: { esbuild: { target: string } };
    };

    // Assess
    expect(scriptsMajor).toBeDefined();
    expect(readFileSync(".nvmrc", "utf8").trim()).toBe(scriptsMajor);
    expect(pkg.engines.node).toBe(`${scriptsMajor}.x`);
    expect(serverless.provider.runtime).toBe(`nodejs${scriptsMajor}.x`);
    expect(serverless.custom.esbuild.target).toBe(`node${scriptsMajor}`);
  });

  it("is the one the README's quick start and the deploy guide name", () => {
    const readme = readFileSync("README.md", "utf8");
    const operations = readFileSync("docs/operations.md", "utf8");

    expect(readme).toContain(`(\`nodejs${scriptsMajor}.x\`)`);
    expect(readme).toContain(`Node.js ${scriptsMajor} and npm installed`);
    expect(readme).toContain(`the \`node@${scriptsMajor}\` dev dependency`);
    expect(operations).toContain(`Node ${scriptsMajor} and \`npm ci\``);
    for (const text of [readme, operations]) expect(text).not.toMatch(/nodejs(?!24)\d+\.x|Node(\.js)? (?!24)\d\d\b/);
  });

  it("is the Node this test runs on (npm scripts put the dev dependency first on the PATH)", () => {
    expect(process.versions.node.split(".")[0]).toBe(scriptsMajor);
  });
});
