// A local serverless plugin that makes `sls invoke local` run this project's bundles and end.
//
// - serverless-esbuild writes each function as `functions/<name>.mjs` (ESM, `outputFileExtension`), but osls's
//   invoke-local requires the handler path with no extension and retries `.cjs` only, so it never finds the bundle.
//   Once the bundle is built, this points the function's handler at the `.mjs` file; Node 22 and later `require` an ES module
//   that has no top-level await, which these bundles do not have.
// - serverless-esbuild keeps an esbuild build context per bundle (for rebuilds in watch mode) and disposes of it in
//   its `after:invoke:local:invoke` hook, which runs only when the invocation succeeds: after a failed one, the live
//   context (esbuild's service process) kept the CLI from ever exiting. Invoke local never rebuilds, so the contexts
//   are disposed of as soon as the bundle is written.
//
// A development aid only: it hooks `invoke local` and nothing else, so packaging and deploying are untouched.

const BUNDLE_EXTENSION = ".mjs";

/** Where the bundle of `handler` (`dir/file.export`) is: `dir/file.mjs.export`, unchanged when it already says so. */
export function bundleHandler(handler) {
  const separator = handler.lastIndexOf(".");
  const path = handler.slice(0, separator);
  if (separator <= 0 || path.endsWith(BUNDLE_EXTENSION)) return handler;
  return `${path}${BUNDLE_EXTENSION}${handler.slice(separator)}`;
}

export default class InvokeLocalBundles {
  constructor(serverless, options) {
    this.hooks = {
      // Registered after serverless-esbuild, so this runs once its own hook of the same name has built the bundle.
      "before:invoke:local:invoke": async () => {
        const esbuild = serverless.pluginManager.plugins.find((plugin) => plugin.constructor.name === "EsbuildServerlessPlugin");
        if (typeof esbuild?.disposeContexts === "function") await esbuild.disposeContexts();
        const definition = serverless.service.getFunction(options.function);
        definition.handler = bundleHandler(definition.handler);
      },
    };
  }
}
