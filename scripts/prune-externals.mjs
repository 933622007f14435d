// Runs in serverless-esbuild's build folder (custom.esbuild.packagerOptions.scripts in serverless.yml), after the
// externals (sharp, @google/genai) and their dependencies are installed there and before each function's zip is made:
// removes from node_modules what no function loads, so a zip holds only what runs.
//
// What goes, and why (each rule names what it removes; nothing here is loaded by Node at run time):
// - source maps, TypeScript declarations and sources, everywhere, and test folders (test/, tests/, __tests__/, browser-test/,
//   system-test/);
// - a package's browser build: the files its package.json names in `browser` (or under an exports `browser`
//   condition) and nowhere else (not as `main`, nor under another condition), e.g. ws/browser.js, debug/src/browser.js;
// - every `browser/` or `web/` folder of a package (its builds for those platforms), unless a file of the package that
//   stays requires or imports something in it by a relative path: google-auth-library's crypto.js, for one, requires
//   ./browser/crypto at load (and only uses it under a `window`), so that folder must stay for the module to load;
// - packages of typings alone (@types/*, undici-types), emptied;
// - @google/genai's other builds (web, the platform-neutral one, CommonJS, tokenizer, vertex_internal): on Node,
//   `import("@google/genai")` resolves to dist/node/index.mjs, which imports none of them;
// - protobufjs (with @protobufjs/* and long), emptied: only genai's tokenizer build uses it, and it is not shipped;
// - web-streams-polyfill's builds but the one fetch-blob falls back to (dist/ponyfill.es2018.js, only on a Node
//   without web streams, so never on Lambda's Node 24);
// - gaxios' ES module build: its one importer here, google-auth-library, is CommonJS and requires the CommonJS build;
// - sharp's C++ sources and build-from-source scripts (src/, install/), and libvips' C headers.
// Hand-written rather than a generic pruner (clean-modules, node-prune): those remove documentation and tests by name
// patterns but cannot know which build of a package its importers load; these rules are per package and checked by
// test/integration/packages.test.ts, which also runs a pruned package against fakes of its services.
//
// Usage: node <project>/scripts/prune-externals.mjs [directory]   (default: the current directory)
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, posix, relative, sep } from "node:path";

const EVERYWHERE = [/\.map$/, /\.[cm]?tsx?$/, /\.tsbuildinfo$/, /(^|\/)(test|tests|__tests__|browser-test|system-test)\//];

/**
 * Packages emptied (their name, or a scope with `/*`): their package.json stays, so that `npm ls`, which
 * serverless-esbuild runs next to tell each zip's dependencies, still finds every declared dependency installed.
 */
const EMPTIED_PACKAGES = ["@types/*", "undici-types", "protobufjs", "@protobufjs/*", "long"];

/** Folders of a platform build that Node never loads by itself: removed unless a file that stays requires into them. */
const PLATFORM_FOLDERS = /(^|\/)(browser|web)\//;

/** Relative module specifiers in a JavaScript file: require("./x"), import("../y"), from "./z", export … from "./w". */
const RELATIVE_SPECIFIER = /(?:require\s*\(\s*|import\s*\(\s*|\bfrom\s*)["'](\.{1,2}\/[^"']*)["']/g;

/** The files of a package's `browser/` and `web/` folders that no other file of the package reaches by a relative path. */
export function unreachedPlatformFiles(path, files) {
  const candidates = files.filter((file) => PLATFORM_FOLDERS.test(file));
  if (candidates.length === 0) return [];
  const reached = new Set();
  // What the manifest makes Node load (main, module, exports under any condition but `browser`) stays too.
  if (existsSync(join(path, "package.json"))) {
    const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
    const targets = exportTargets(manifest.exports ?? {}, false, { browser: new Set(), other: new Set() }).other;
    for (const entry of [manifest.main, manifest.module]) if (typeof entry === "string") targets.add(normalize(entry));
    for (const target of targets) reached.add(target);
  }
  for (const file of files) {
    if (PLATFORM_FOLDERS.test(file) || !/\.[cm]?js$/.test(file)) continue;
    const source = readFileSync(join(path, file), "utf8");
    for (const match of source.matchAll(RELATIVE_SPECIFIER)) {
      const target = posix.normalize(posix.join(posix.dirname(file), match[1] ?? ""));
      // The folder holding the target, whether it names a file (with or without extension) or a folder's index.
      reached.add(target);
    }
  }
  const folderOf = (file) =>
    file.slice(0, file.search(/(browser|web)\//) + (/(^|\/)browser\//.test(file) ? "browser".length : "web".length));
  const keptFolders = new Set(
    candidates.map(folderOf).filter((folder) => [...reached].some((target) => target === folder || target.startsWith(`${folder}/`))),
  );
  return candidates.filter((file) => !keptFolders.has(folderOf(file)));
}

/** Packages of which only these files stay (besides package.json and the licence files at their top). */
const KEEP_ONLY = {
  "@google/genai": ["dist/node/index.mjs"],
  "web-streams-polyfill": ["dist/ponyfill.es2018.js"],
};

/** Folders removed inside a package. */
const REMOVED_FOLDERS = {
  gaxios: ["build/esm"],
  sharp: ["src", "install"],
  "@img/sharp-libvips-linux-arm64": ["include", "lib/glib-2.0/include"],
  "@img/sharp-libvips-linux-x64": ["include", "lib/glib-2.0/include"],
};

const ALWAYS_KEPT = /^(package\.json|(licen[cs]e|notice|copying)(\.[a-z]+)?)$/i;

/** Every file under a directory, as paths relative to it with forward slashes. */
function filesUnder(directory) {
  const files = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.push(relative(directory, path).split(sep).join("/"));
    }
  };
  walk(directory);
  return files;
}

/** Every installed package (top-level and nested), by name, with its folder. */
function packagesUnder(modules) {
  const found = [];
  const visit = (folder) => {
    if (!existsSync(folder)) return;
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const names = entry.name.startsWith("@")
        ? readdirSync(join(folder, entry.name), { withFileTypes: true })
            .filter((d) => d.isDirectory())
            .map((d) => `${entry.name}/${d.name}`)
        : [entry.name];
      for (const name of names) {
        const path = join(folder, name);
        found.push({ name, path });
        visit(join(path, "node_modules"));
      }
    }
  };
  visit(modules);
  return found;
}

/** Paths inside a package, as package.json writes them ("./lib/x.js", "lib/x"), made comparable. */
const normalize = (path) => posix.normalize(path).replace(/^\.\//, "");

/** Every file target under an exports value, split into those reached by the `browser` condition and the others. */
function exportTargets(value, underBrowser, into) {
  if (typeof value === "string") (underBrowser ? into.browser : into.other).add(normalize(value));
  else if (Array.isArray(value)) for (const item of value) exportTargets(item, underBrowser, into);
  else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) exportTargets(item, underBrowser || key === "browser", into);
  }
  return into;
}

/** The files of a package that only a browser loads: named as its browser build, and by nothing else. */
export function browserOnlyFiles(path) {
  const manifest = JSON.parse(readFileSync(join(path, "package.json"), "utf8"));
  const targets = exportTargets(manifest.exports ?? {}, false, { browser: new Set(), other: new Set() });
  if (typeof manifest.main === "string") targets.other.add(normalize(manifest.main));
  if (typeof manifest.module === "string") targets.other.add(normalize(manifest.module));
  if (typeof manifest.browser === "string") targets.browser.add(normalize(manifest.browser));
  if (manifest.browser && typeof manifest.browser === "object") {
    for (const replacement of Object.values(manifest.browser))
      if (typeof replacement === "string") targets.browser.add(normalize(replacement));
  }
  const withExtension = (file) => (existsSync(join(path, file)) ? file : `${file}.js`);
  const other = new Set([...targets.other].map(withExtension));
  return [...targets.browser].map(withExtension).filter((file) => !other.has(file) && existsSync(join(path, file)));
}

const matches = (name, pattern) => (pattern.endsWith("/*") ? name.startsWith(pattern.slice(0, -1)) : name === pattern);

/** Prunes `<directory>/node_modules`; returns what it removed, in bytes and files. */
export function pruneExternals(directory) {
  const modules = join(directory, "node_modules");
  let bytes = 0;
  let files = 0;
  const remove = (path) => {
    if (!existsSync(path)) return;
    const stats = statSync(path);
    const list = stats.isDirectory() ? filesUnder(path).map((file) => join(path, file)) : [path];
    for (const file of list) bytes += statSync(file).size;
    files += list.length;
    rmSync(path, { recursive: true, force: true });
  };
  for (const { name, path } of packagesUnder(modules)) {
    if (!existsSync(path)) continue;
    for (const folder of REMOVED_FOLDERS[name] ?? []) remove(join(path, folder));
    if (existsSync(join(path, "package.json"))) for (const file of browserOnlyFiles(path)) remove(join(path, file));
    const own = filesUnder(path).filter((file) => !file.startsWith("node_modules/"));
    for (const file of unreachedPlatformFiles(path, own)) remove(join(path, file));
    const keep = EMPTIED_PACKAGES.some((pattern) => matches(name, pattern)) ? [] : KEEP_ONLY[name];
    for (const file of filesUnder(path)) {
      if (file.startsWith("node_modules/")) continue;
      const kept = keep === undefined || keep.includes(file) || (!file.includes("/") && ALWAYS_KEPT.test(file));
      const unwanted = EVERYWHERE.some((pattern) => pattern.test(file)) || !kept;
      if (unwanted) remove(join(path, file));
    }
  }
  return { bytes, files };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const directory = process.argv[2] ?? process.cwd();
  const { bytes, files } = pruneExternals(directory);
  console.log(`prune-externals: removed ${files} files, ${(bytes / 1024 / 1024).toFixed(1)} MB, from ${join(directory, "node_modules")}`);
}
