import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { unreachedPlatformFiles } from "../../scripts/prune-externals.mjs";

const made: string[] = [];

function packageWith(files: Record<string, string>): { path: string; files: string[] } {
  const path = mkdtempSync(join(tmpdir(), "prune-"));
  made.push(path);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(path, file)), { recursive: true });
    writeFileSync(join(path, file), text);
  }
  return { path, files: Object.keys(files) };
}

afterEach(() => {
  for (const path of made.splice(0)) rmSync(path, { recursive: true, force: true });
});

describe("unreachedPlatformFiles", () => {
  it("gives every file of a browser/ or web/ folder that nothing of the package loads", () => {
    const pkg = packageWith({
      "package.json": JSON.stringify({
        main: "lib/index.js",
        exports: { ".": { browser: "./browser/index.js", default: "./lib/index.js" } },
      }),
      "lib/index.js": 'module.exports = require("./node.js");',
      "lib/node.js": "module.exports = 1;",
      "browser/index.js": "export default 1;",
      "dist/web/index.mjs": "export default 1;",
    });

    expect((unreachedPlatformFiles(pkg.path, pkg.files) as string[]).sort()).toEqual(["browser/index.js", "dist/web/index.mjs"]);
  });

  it("keeps a folder that a file which stays requires or imports (google-auth-library's crypto), or the manifest names", () => {
    const pkg = packageWith({
      "package.json": JSON.stringify({ main: "build/index.js", exports: { "./web": { node: "./web/node.js" } } }),
      "build/index.js": 'const c = require("./crypto/crypto");',
      "build/crypto/crypto.js": 'const b = require("./browser/crypto");\nconst n = require("./node/crypto");',
      "build/crypto/browser/crypto.js": 'const shared = require("../shared");',
      "build/crypto/node/crypto.js": "",
      "web/node.js": "",
      "esm/browser/unused.js": "",
    });

    expect(unreachedPlatformFiles(pkg.path, pkg.files)).toEqual(["esm/browser/unused.js"]);
  });
});
