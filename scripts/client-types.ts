import { registerHooks } from "node:module";

// openapi-typescript builds its output with the TypeScript 5 compiler API (ts.factory, ts.createPrinter), which the
// project's TypeScript 7 (the native compiler, used for `tsc`) does not offer. package.json therefore installs
// TypeScript 5 beside it as `typescript-5` (the `overrides` entry lets openapi-typescript's peer be satisfied by the
// root's TypeScript), and this hook hands openapi-typescript that one: nothing else sees it.
registerHooks({
  resolve(specifier, context, nextResolve) {
    if (specifier === "typescript" && context.parentURL?.includes("/node_modules/openapi-typescript/"))
      return nextResolve("typescript-5", context);
    return nextResolve(specifier, context);
  },
});

/** The TypeScript types of an OpenAPI document, as openapi-typescript writes them (client/schema.d.ts). */
export async function generateClientTypes(document: Record<string, unknown>): Promise<string> {
  const { default: openapiTS, astToString } = await import("openapi-typescript");
  // A document object, not a file: what is compared in the staleness test is what `npm run openapi` writes.
  // defaultNonNullable off: a property with a default (createSession's `locale`) is one a client may leave out.
  const nodes = await openapiTS(document as unknown as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
  return astToString(nodes);
}
